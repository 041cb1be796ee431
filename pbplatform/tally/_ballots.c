/* Compiled reading of approval ballots (optional; see kernel.py and pabulib._indexed).
 *
 * approval_cells turns each ballot's vote cell ("12,7,30") into project numbers, as the
 * reader's pure path does with str.split and a Counter per distinct cell. It only reads
 * cells that are well formed: an empty id, an id that is not a project (spaces included)
 * or a text that is not a str makes it answer "unsure", and the reader then takes its
 * pure path, whose careful reader names the line at fault.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const char *text;
    Py_ssize_t size;
    int64_t number;
} Slot;

typedef struct {
    Slot *slots;
    size_t mask;
} Table;

static uint64_t hash(const char *s, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Slot of the id s (or the empty slot where it would go). */
static Slot *find(const Table *t, const char *s, Py_ssize_t n)
{
    size_t at = (size_t)hash(s, n) & t->mask;
    while (t->slots[at].text
           && (t->slots[at].size != n || memcmp(t->slots[at].text, s, (size_t)n) != 0))
        at = (at + 1) & t->mask;
    return &t->slots[at];
}

/* The project ids (a list of str) in a table of their UTF-8 texts; -1 with an exception
 * set on failure. The texts belong to the ids, which the caller keeps alive. */
static int table_of(PyObject *ids, Table *t)
{
    Py_ssize_t n = PyList_GET_SIZE(ids);
    size_t size = 16;
    while (size < (size_t)n * 2)
        size *= 2;
    t->slots = PyMem_Calloc(size, sizeof(Slot));
    if (!t->slots) {
        PyErr_NoMemory();
        return -1;
    }
    t->mask = size - 1;
    for (Py_ssize_t q = 0; q < n; q++) {
        PyObject *id = PyList_GET_ITEM(ids, q);
        Py_ssize_t len;
        const char *s = PyUnicode_Check(id) ? PyUnicode_AsUTF8AndSize(id, &len) : NULL;
        if (!s) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "project ids must be str");
            PyMem_Free(t->slots);
            return -1;
        }
        Slot *slot = find(t, s, len);
        if (!slot->text) /* a repeated id keeps its first number (Election refuses it) */
            *slot = (Slot){s, len, q};
    }
    return 0;
}

typedef struct {
    int64_t *lengths, *flat, *seen;
    Py_ssize_t used;
    int repeats;
} Cells;

/* Read one cell into out->flat; 0 if it is not well formed. */
static int read_cell(const Table *t, const char *s, Py_ssize_t n, Py_ssize_t cell, Cells *out)
{
    Py_ssize_t start = out->used;
    if (n == 0) {
        out->lengths[cell] = 0; /* a ballot that approves nothing */
        return 1;
    }
    const char *end = s + n;
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        if (stop == s)
            return 0;
        const Slot *slot = find(t, s, stop - s);
        if (!slot->text)
            return 0;
        if (out->seen[slot->number] == cell + 1)
            out->repeats = 1; /* an approval counts once, as in pabutools */
        else {
            out->seen[slot->number] = cell + 1;
            out->flat[out->used++] = slot->number;
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    out->lengths[cell] = out->used - start;
    return 1;
}

/* approval_cells(texts, ids) -> None | (lengths, flat, repeats)
 *
 * lengths: bytes of int64, each ballot's number of approvals; flat: bytes of int64, all
 * their project numbers (places in ids) ballot after ballot, each ballot's in the order
 * written with repeats dropped; repeats: whether a ballot named a project twice.
 * None: some cell is not well formed (see the top of this file). */
static PyObject *approval_cells(PyObject *self, PyObject *args)
{
    PyObject *texts, *ids, *result = NULL, *lengths = NULL, *flat = NULL;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &texts, &PyList_Type, &ids))
        return NULL;
    Table table;
    if (table_of(ids, &table) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(texts), bound = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i);
        if (!PyUnicode_Check(text))
            goto unsure;
        bound += (PyUnicode_GET_LENGTH(text) + 1) / 2; /* ids of one or more characters */
    }
    Cells out = {NULL, NULL, PyMem_Calloc((size_t)PyList_GET_SIZE(ids) + 1, sizeof(int64_t)),
                 0, 0};
    lengths = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    flat = PyBytes_FromStringAndSize(NULL, bound * (Py_ssize_t)sizeof(int64_t));
    if (!out.seen || !lengths || !flat) {
        if (!out.seen)
            PyErr_NoMemory();
        goto done;
    }
    out.lengths = (int64_t *)PyBytes_AS_STRING(lengths);
    out.flat = (int64_t *)PyBytes_AS_STRING(flat);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(texts, i), &len);
        if (!s)
            goto done;
        if (!read_cell(&table, s, len, i, &out)) {
            PyMem_Free(out.seen);
            Py_DECREF(lengths);
            Py_DECREF(flat);
            goto unsure;
        }
    }
    if (_PyBytes_Resize(&flat, out.used * (Py_ssize_t)sizeof(int64_t)) < 0)
        goto done; /* flat is NULL and freed */
    result = Py_BuildValue("(OOO)", lengths, flat, out.repeats ? Py_True : Py_False);
done:
    PyMem_Free(out.seen);
    Py_XDECREF(lengths);
    Py_XDECREF(flat);
    PyMem_Free(table.slots);
    return result;
unsure:
    PyMem_Free(table.slots);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"approval_cells", approval_cells, METH_VARARGS,
     "Each approval ballot's project numbers, or None if a cell is not well formed."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ballots", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ballots(void) { return PyModule_Create(&module); }
