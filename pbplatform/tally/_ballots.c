/* Compiled reading of approval ballots (optional; see kernel.py and pabulib._Indexed).
 *
 * approval_table reads the VOTES lines of a Pabulib file in one pass: each ballot's vote cell
 * ("12,7,30") becomes project numbers and its voting_method a channel code, and it counts each
 * channel's approvals, as the reader's pure path does with str.split and a Counter per
 * distinct vote cell. It only reads what is well formed and plain: an empty id, an id that is
 * not a project (spaces included), a line without exactly the header's number of fields, mixed
 * line ends or odd white space at the end make it answer "unsure", and the reader then takes
 * its pure path, whose careful reader names the line at fault.
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

/* Read one vote cell into out->flat, in the order written with repeats dropped (an approval
 * counts once, as in pabutools); 0 if it is not well formed. */
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
            out->repeats = 1;
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

#define MAX_CHANNELS 64

typedef struct {
    const char *text;
    Py_ssize_t size;
} Name;

/* The code of a channel's raw text (added if new); -1 past MAX_CHANNELS. */
static int channel_code(Name *names, int *n, const char *s, Py_ssize_t len)
{
    for (int c = 0; c < *n; c++)
        if (names[c].size == len && memcmp(names[c].text, s, (size_t)len) == 0)
            return c;
    if (*n == MAX_CHANNELS)
        return -1;
    names[*n] = (Name){s, len};
    return (*n)++;
}

/* The end of the ballots, as pabulib._Table.of cuts them: at the first line end after the
 * last character that is not white space; -1 if unsure (a line end style it would make
 * uniform first, or a last character str.isspace might call white space). */
static Py_ssize_t ballots_end(const char *s, Py_ssize_t n, int *crlf)
{
    Py_ssize_t cr = 0, lf = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] == '\r')
            cr++;
        else if (s[i] == '\n') {
            lf++;
            if (cr && (i == 0 || s[i - 1] != '\r'))
                return -1;
        }
    }
    *crlf = cr > 0;
    if (cr && cr != lf)
        return -1;
    Py_ssize_t last = n;
    while (last > 0 && s[last - 1] && strchr(" \t\n\r\v\f", s[last - 1]))
        last--;
    if (last > 0) {
        unsigned char c = (unsigned char)s[last - 1];
        if (c >= 0x80 || (c >= 0x1c && c <= 0x1f))
            return -1;
    }
    const char *end = memchr(s + last, '\n', (size_t)(n - last));
    if (!end)
        return n;
    return (end - s) - *crlf;
}

typedef struct {
    Py_ssize_t width, i_vote, i_channel;
    Name names[MAX_CHANNELS];
    int n_names;
    int64_t *codes, *counts, *sizes; /* counts: MAX_CHANNELS rows of P */
    Py_ssize_t P;
} Layout;

/* One line [s, end): its vote cell into out, and its channel's code; 0 if unsure (a line
 * without exactly width fields, or a cell read_cell is unsure of). */
static int read_line(const Table *t, Layout *lay, const char *s, const char *end,
                     Py_ssize_t ballot, Cells *out)
{
    const char *vote = NULL, *vote_end = NULL, *channel = NULL, *channel_end = NULL;
    const char *at = s;
    for (Py_ssize_t k = 0; k < lay->width; k++) {
        const char *stop = k + 1 < lay->width ? memchr(at, ';', (size_t)(end - at)) : end;
        if (!stop || (k + 1 == lay->width && memchr(at, ';', (size_t)(end - at))))
            return 0;
        if (k == lay->i_vote)
            vote = at, vote_end = stop;
        if (k == lay->i_channel)
            channel = at, channel_end = stop;
        at = stop + 1;
    }
    Py_ssize_t first = out->used;
    if (!read_cell(t, vote, vote_end - vote, ballot, out))
        return 0;
    if (lay->i_channel < 0) /* no voting_method column: a blank one, as pabutools reads it */
        channel = channel_end = "";
    int code = channel_code(lay->names, &lay->n_names, channel, channel_end - channel);
    if (code < 0)
        return 0;
    lay->codes[ballot] = code;
    lay->sizes[code]++;
    int64_t *row = lay->counts + (Py_ssize_t)code * lay->P;
    for (Py_ssize_t j = first; j < out->used; j++)
        row[out->flat[j]]++;
    return 1;
}

static PyObject *int64s(const int64_t *values, Py_ssize_t n)
{
    return PyBytes_FromStringAndSize((const char *)values, n * (Py_ssize_t)sizeof(int64_t));
}

/* The result tuple of approval_table (see below); NULL on failure. */
static PyObject *table_result(const Layout *lay, const Cells *out, Py_ssize_t lines)
{
    PyObject *names = PyList_New(lay->n_names);
    if (!names)
        return NULL;
    for (int c = 0; c < lay->n_names; c++) {
        PyObject *name = PyUnicode_DecodeUTF8(lay->names[c].text, lay->names[c].size, NULL);
        if (!name) {
            Py_DECREF(names);
            return NULL;
        }
        PyList_SET_ITEM(names, c, name);
    }
    return Py_BuildValue("(NNONNNN)", int64s(out->lengths, lines), int64s(out->flat, out->used),
                         out->repeats ? Py_True : Py_False, int64s(lay->codes, lines), names,
                         int64s(lay->counts, (Py_ssize_t)lay->n_names * lay->P),
                         int64s(lay->sizes, lay->n_names));
}

/* approval_table(text, width, i_vote, i_channel, ids)
 *     -> None | (lengths, flat, repeats, codes, channels, counts, sizes)
 *
 * Reads the VOTES lines of approval ballots (text: everything after the header; width: the
 * header's number of fields; i_channel: -1 when there is no voting_method column) as
 * pabulib._Table and _Cells do. Per ballot: lengths (bytes of int64), its number of
 * approvals; flat (bytes of int64), all the ballots' project numbers (places in ids) one
 * ballot after another; repeats, whether a ballot named a project twice; codes (bytes of int64), each ballot's channel as a place in channels (the raw texts, in
 * the order they first appear); counts (bytes of int64): per channel, a row of how many of
 * its ballots approve each project; sizes: each channel's number of ballots.
 * None when unsure: text that is not a str, mixed line ends, a line without exactly width
 * fields (a blank line among the ballots included), more than 64 channels, or a vote cell
 * read_cell is unsure of; pabulib then reads the file in Python. */
static PyObject *approval_table(PyObject *self, PyObject *args)
{
    PyObject *text, *ids, *result = NULL;
    Layout lay = {0};
    if (!PyArg_ParseTuple(args, "UnnnO!", &text, &lay.width, &lay.i_vote, &lay.i_channel,
                          &PyList_Type, &ids))
        return NULL;
    if (lay.width < 1 || lay.i_vote < 0 || lay.i_vote >= lay.width || lay.i_channel >= lay.width
        || lay.i_channel == lay.i_vote) {
        PyErr_SetString(PyExc_ValueError, "columns out of range");
        return NULL;
    }
    Py_ssize_t n, lines = 0;
    int crlf;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    if (!s)
        return NULL;
    Py_ssize_t cut = ballots_end(s, n, &crlf);
    if (cut < 0)
        Py_RETURN_NONE;
    for (Py_ssize_t i = 0; i < cut; i++)
        lines += s[i] == '\n';
    lines += cut > 0;
    Table table;
    if (table_of(ids, &table) < 0)
        return NULL;
    lay.P = PyList_GET_SIZE(ids);
    Cells out = {PyMem_Malloc((size_t)(lines + 1) * sizeof(int64_t)),
                 PyMem_Malloc((size_t)(cut / 2 + 1) * sizeof(int64_t)),
                 PyMem_Calloc((size_t)lay.P + 1, sizeof(int64_t)), 0, 0};
    lay.codes = PyMem_Malloc((size_t)(lines + 1) * sizeof(int64_t));
    lay.counts = PyMem_Calloc((size_t)MAX_CHANNELS * (size_t)(lay.P + 1), sizeof(int64_t));
    lay.sizes = PyMem_Calloc(MAX_CHANNELS, sizeof(int64_t));
    if (!out.lengths || !out.flat || !out.seen || !lay.codes || !lay.counts || !lay.sizes) {
        PyErr_NoMemory();
        goto done;
    }
    const char *at = s, *stop = s + cut;
    for (Py_ssize_t ballot = 0; ballot < lines; ballot++) {
        const char *nl = memchr(at, '\n', (size_t)(stop - at));
        const char *end = nl ? nl - crlf : stop;
        if (!read_line(&table, &lay, at, end, ballot, &out)) {
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
        at = nl ? nl + 1 : stop;
    }
    result = table_result(&lay, &out, lines);
done:
    PyMem_Free(out.lengths);
    PyMem_Free(out.flat);
    PyMem_Free(out.seen);
    PyMem_Free(lay.codes);
    PyMem_Free(lay.counts);
    PyMem_Free(lay.sizes);
    PyMem_Free(table.slots);
    return result;
}

static PyMethodDef methods[] = {
    {"approval_table", approval_table, METH_VARARGS,
     "The VOTES lines of approval ballots in arrays, or None if unsure."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_ballots", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ballots(void) { return PyModule_Create(&module); }
