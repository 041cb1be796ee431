/* Compiled inner loops of the certified float MES runs (optional; see engines/__init__.py).
 *
 * Each function here ports a pure-Python/numpy function that stays the reference and the
 * fallback (named in its comment), with the same checks and error bounds. Sums run in another
 * order and non-supporters are skipped rather than moved by zero, so a run can be "unsure"
 * (left to the exact method) in one and not the other, or skip fewer or more shares; a
 * decision either takes is certified, so both give the exact method's outcome.
 *
 * The static arrays (offsets and supporters) are checked once by check_supporters when they
 * are built; the other functions trust them, and check the sizes of everything else.
 *
 * Built without -ffast-math and with -ffp-contract=off: the error bounds assume IEEE
 * double arithmetic with one rounding per operation.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define U (DBL_EPSILON / 2) /* unit roundoff, 2**-53 */

/* ---------------------------------------------------------------- points (float_points) */

#define NEWTON 12
#define SAFE 4.0 /* float_points.SAFE */
#define TOL 1e-10
#define GUESS 1e-12
#define BATCH 8

typedef struct {
    Py_ssize_t P, G;
    const int64_t *sp;  /* P + 1 offsets into the supporter arrays */
    const int64_t *sg;  /* supporter group */
    const double *su;   /* its points */
    const double *sw;   /* its weight */
    const double *swu;  /* weight times points (exact) */
    const double *cost, *floor, *shortfall;
    const uint8_t *open;
    double gamma, margin_lo, margin_hi;
    /* one run */
    double *b0, *b1, *slopes, *stale, *stale_hi;
    uint8_t *alive;
} Points;

typedef struct {
    double lo, hi, slope;
} Price;

/* FastUtility._newton, for one project: certified price bounds (lo, hi] of project q by
 * Newton's steps from the pair x; 0 if unsure.
 * Row 0 (budgets hi) must pay less than the cost, row 1 (budgets lo) at least the cost. */
static int points_newton(const Points *k, Py_ssize_t q, double x0, double x1, Price *out)
{
    const double c = k->cost[q];
    const double lim0 = c * k->margin_lo, lim1 = -(c * k->margin_hi);
    const double g = k->gamma;
    double x[2] = {x0, x1};
    for (int it = 0; it < NEWTON; it++) {
        double move[2], step_out[2], rich[2];
        int done[2];
        for (int r = 0; r < 2; r++) {
            const double *b = r ? k->b1 : k->b0;
            const double xr = x[r], sign = r ? -1.0 : 1.0;
            double paid = 0.0, rh = 0.0;
            for (int64_t j = k->sp[q]; j < k->sp[q + 1]; j++) {
                const double ux = k->su[j] * xr, bg = b[k->sg[j]];
                paid += k->sw[j] * (ux < bg ? ux : bg);
                if (ux < bg)
                    rh += k->swu[j];
            }
            move[r] = (c - paid) / rh;
            step_out[r] = (paid + c) * (SAFE * g) / rh + (4 * SAFE * U) * xr;
            rich[r] = rh;
            done[r] = (paid * sign < (r ? lim1 : lim0))
                      && (fabs(move[r]) <= TOL * xr + 2 * step_out[r]);
        }
        if (done[0] && done[1]) {
            if (!(x[0] > 0))
                break;
            double poor = 0.0;
            for (int64_t j = k->sp[q]; j < k->sp[q + 1]; j++) {
                const Py_ssize_t gi = k->sg[j];
                if (k->su[j] * x[0] >= k->b0[gi])
                    poor += k->sw[j] * k->slopes[gi];
            }
            out->lo = x[0];
            out->hi = x[1];
            out->slope = -poor / rich[0];
            return 1;
        }
        for (int r = 0; r < 2; r++)
            if (!done[r])
                x[r] = x[r] + move[r] - (r ? -1.0 : 1.0) * step_out[r];
        if (!isfinite(x[0]) || !isfinite(x[1]))
            break;
    }
    return 0;
}

static double points_money(const Points *k, Py_ssize_t q)
{
    double money = 0.0;
    for (int64_t j = k->sp[q]; j < k->sp[q + 1]; j++)
        money += k->sw[j] * k->b0[k->sg[j]];
    return money;
}

/* FastUtility._pay. Every supporter pays min(budget, alpha * points): bounds move to
 * max(0, hi - a_lo * u) and max(0, lo - a_hi * u), rounded outward; groups that do not
 * support q pay exactly 0. */
static void points_pay(Points *k, Py_ssize_t q, const Price *p)
{
    const double p0 = p->lo * (1 - 4 * U), p1 = p->hi * (1 + 4 * U);
    for (int64_t j = k->sp[q]; j < k->sp[q + 1]; j++) {
        const Py_ssize_t gi = k->sg[j];
        double l0 = k->b0[gi] - p0 * k->su[j];
        double l1 = k->b1[gi] - p1 * k->su[j];
        l0 += fabs(l0) * (4 * U);
        l1 -= fabs(l1) * (4 * U);
        k->b0[gi] = l0 > 0 ? l0 : 0.0;
        k->b1[gi] = l1 > 0 ? l1 : 0.0;
        k->slopes[gi] = k->b0[gi] > 0 ? k->slopes[gi] - k->su[j] * p->slope : 0.0;
    }
}

static const double *sort_by;  /* qsort takes no context; the GIL is held throughout */

static int by_stale(const void *a, const void *b)
{
    const Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    if (sort_by[x] < sort_by[y]) return -1;
    if (sort_by[x] > sort_by[y]) return 1;
    return (x > y) - (x < y);
}

/* FastUtility._round (with _starts): the winner and its bounds, -1 when nothing is
 * affordable, -2 when unsure. */
static Py_ssize_t points_round(Points *k, const double *guess, double shift, double *prices,
                               Py_ssize_t *cand, Py_ssize_t *priced, Price *found,
                               const char **why)
{
    Py_ssize_t n = 0, n_priced = 0, best = -1;
    for (Py_ssize_t q = 0; q < k->P; q++) {
        if (!k->alive[q])
            continue;
        if (!(points_money(k, q) >= k->shortfall[q])) {
            k->alive[q] = 0;  /* certainly unaffordable, for good */
            continue;
        }
        cand[n++] = q;
    }
    sort_by = k->stale;
    qsort(cand, n, sizeof *cand, by_stale);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_ssize_t q = cand[i];
        /* past the first BATCH (priced anyway: fresh lower bounds make the run's trace
         * prove more), a project whose lower bound is above the best upper bound cannot win */
        if (i >= BATCH && best >= 0 && k->stale[q] > found[best].hi)
            break;
        double x0 = k->stale[q], x1 = k->stale_hi[q];
        if (guess && !isnan(guess[2 * q])) {
            const double at = guess[2 * q] + guess[2 * q + 1] * shift;
            if (at > 0) {
                x0 = at * (1 - GUESS);
                x1 = at * (1 + GUESS);
            }
        }
        if (!points_newton(k, q, x0, x1, &found[q])) {
            *why = "unsure";
            return -2;
        }
        k->stale[q] = found[q].lo;
        k->stale_hi[q] = found[q].hi;
        prices[2 * q] = 0.5 * (found[q].lo + found[q].hi);
        prices[2 * q + 1] = found[q].slope;
        priced[n_priced++] = q;
        if (best < 0 || found[q].hi < found[best].hi)
            best = q;
    }
    if (best < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n_priced; i++) {
        const Py_ssize_t q = priced[i];
        if (q != best && !(found[q].lo > found[best].hi)) {
            *why = "close";
            return -2;  /* a tie or near tie: the exact method decides */
        }
    }
    return best;
}

static int get(PyObject *obj, Py_buffer *view, Py_ssize_t items, Py_ssize_t size, int writable)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)))
        return -1;
    if (view->len != items * size) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "buffer of %zd bytes, expected %zd", view->len,
                     items * size);
        return -1;
    }
    return 0;
}

/* FastUtility._run and _closest:
 * points_run(P, G, sp, sg, su, sw, swu, cost, floor, short, open, gamma, margin_lo,
 *            margin_hi, s, exact, shift, prev, cur)
 * -> (order, winner_hi, others_lo, closest) or (None, reason: "unsure" or "close").
 * prev and cur hold (P + 1) rounds x P projects x (price, slope), NaN where not priced: the
 * last run's prices (prev, or None) guess this run's, which are written to cur. */
static PyObject *points_run(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G;
    PyObject *o[11];
    double gamma, margin_lo, margin_hi, s, shift;
    int exact;
    if (!PyArg_ParseTuple(args, "nnOOOOOOOOOddddpdOO", &P, &G, &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &o[6], &o[7], &o[8], &gamma, &margin_lo, &margin_hi,
                          &s, &exact, &shift, &o[9], &o[10]))
        return NULL;
    if (P < 0 || G < 0)
        return PyErr_Format(PyExc_ValueError, "negative sizes");
    const int have_prev = o[9] != Py_None;
    const Py_ssize_t f = sizeof(double), i8 = sizeof(int64_t), m = (P + 1) * P * 2;
    Py_buffer sp_view, v[10];
    int got = 0;
    PyObject *result = NULL;
    if (get(o[0], &sp_view, P + 1, i8, 0))
        return NULL;
    const int64_t nnz = ((const int64_t *)sp_view.buf)[P];
    const Py_ssize_t items[10] = {nnz, nnz, nnz, nnz, P, P, P, P, m, m};
    const Py_ssize_t sizes[10] = {i8, f, f, f, f, f, f, 1, f, f};
    for (; got < 10; got++)
        if ((got != 8 || have_prev) && get(o[got + 1], &v[got], items[got], sizes[got], got == 9))
            break;
    if (got < 10)
        goto release;
    Points k = {P, G, sp_view.buf, v[0].buf, v[1].buf, v[2].buf, v[3].buf, v[4].buf,
                v[5].buf, v[6].buf, v[7].buf, gamma, margin_lo, margin_hi};
    const double *prev = have_prev ? v[8].buf : NULL;
    double *cur = v[9].buf;
    double *mem = malloc(sizeof(double) * (3 * (size_t)G + 2 * (size_t)P + 1));
    uint8_t *flags = malloc(2 * (size_t)P + 1);
    Py_ssize_t *cand = malloc(sizeof(Py_ssize_t) * (2 * (size_t)P + 1));
    Price *found = malloc(sizeof(Price) * ((size_t)P + 1));
    PyObject *order = PyList_New(0), *win = PyList_New(0), *oth = PyList_New(0);
    if (!mem || !flags || !cand || !found || !order || !win || !oth) {
        PyErr_NoMemory();
        goto done;
    }
    k.b0 = mem;
    k.b1 = mem + G;
    k.slopes = mem + 2 * G;
    k.stale = mem + 3 * G;
    k.stale_hi = mem + 3 * G + P;
    k.alive = flags;
    uint8_t *chosen = flags + P;
    const double top = exact ? s : nextafter(s, INFINITY);
    const double bottom = exact ? s : fmax(0.0, nextafter(s, -INFINITY));
    for (Py_ssize_t g = 0; g < G; g++) {
        k.b0[g] = top;
        k.b1[g] = bottom;
        k.slopes[g] = 1.0;
    }
    for (Py_ssize_t q = 0; q < P; q++) {
        k.alive[q] = k.open[q];
        chosen[q] = 0;
        k.stale[q] = k.stale_hi[q] = k.floor[q];
    }
    for (Py_ssize_t i = 0; i < m; i++)
        cur[i] = NAN;
    for (Py_ssize_t t = 0; t <= P; t++) {
        const double *guess = prev ? prev + t * P * 2 : NULL;
        const char *why = "";
        const Py_ssize_t q = points_round(&k, guess, shift, cur + t * P * 2, cand, cand + P,
                                          found, &why);
        if (q == -2) {
            result = Py_BuildValue("(Os)", Py_None, why);
            goto done;
        }
        if (q == -1)
            break;
        k.alive[q] = 0;
        chosen[q] = 1;
        double others = INFINITY;
        for (Py_ssize_t r = 0; r < P; r++)
            if (k.alive[r] && k.stale[r] < others)
                others = k.stale[r];
        PyObject *a = PyLong_FromSsize_t(q), *b = PyFloat_FromDouble(found[q].hi),
                 *c = PyFloat_FromDouble(others);
        const int bad = !a || !b || !c || PyList_Append(order, a) || PyList_Append(win, b)
                        || PyList_Append(oth, c);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
        if (bad)
            goto done;
        points_pay(&k, q, &found[q]);
    }
    /* how close the project nearest to affordable is: its money over its cost */
    double closest = 0.0;
    int any = 0;
    for (Py_ssize_t q = 0; q < P; q++) {
        if (!k.open[q] || chosen[q])
            continue;
        const double x = points_money(&k, q) / k.cost[q];
        if (!any || x > closest)
            closest = x;
        any = 1;
    }
    result = Py_BuildValue("(OOOd)", order, win, oth, closest);
done:
    free(mem);
    free(flags);
    free(cand);
    free(found);
    Py_XDECREF(order);
    Py_XDECREF(win);
    Py_XDECREF(oth);
release:
    for (int i = 0; i < got; i++)
        if (i != 8 || have_prev)
            PyBuffer_Release(&v[i]);
    PyBuffer_Release(&sp_view);
    return result;
}

/* ---------------------------------------------------------------- approval (float_approval) */

#define EPS 1e-9
#define A_SAFE 16.0 /* float_approval.SAFE */

typedef struct {
    double alpha, slope, e_alpha, e_slope, rho, rho_v, e_rho, e_rho_v;
} Alpha;

enum { PRICED, SHORT, UNSURE };

/* FastApproval._alpha: the price of a project with supporters sup (weights ws) and its error
 * bounds (PRICED); or, when its supporters certainly cannot pay, how short they are, its
 * slope and their error bounds in the first four fields (SHORT); or UNSURE, with why. */
static int approval_alpha(const int64_t *sup, const double *ws, Py_ssize_t n, const double *b,
                          const double *v, double eb, double ev, double c, double total,
                          double floor, int slopes, Alpha *out, const char **why)
{
    double money = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        money += ws[i] * b[sup[i]];
    const double e_money = total * eb + n * U * money * 2;
    if (money < c) {
        if (c - money <= A_SAFE * e_money + 4 * U * c) {
            *why = "money";
            return UNSURE;
        }
        double mv = 0.0;
        if (slopes)
            for (Py_ssize_t i = 0; i < n; i++)
                mv += ws[i] * v[sup[i]];
        const double e_mv = total * ev + n * U * fabs(mv) * 2;
        *out = (Alpha){c - money, -mv, e_money + (c + money) * EPS, e_mv + fabs(mv) * EPS};
        return SHORT;
    }
    double rho = fmax(c / total, floor), poor_w = 0.0, paid = 0.0, paid_v = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (b[sup[i]] < rho)
            poor_w += ws[i];
    if (poor_w) {
        /* sums of whole weights are exact, so an unchanged poor weight means an unchanged
         * poor set (it only grows as rho rises): the fixed point */
        for (Py_ssize_t i = 0; i < n; i++)
            if (b[sup[i]] < rho)
                paid += ws[i] * b[sup[i]];
        Py_ssize_t it = 0;
        for (; it < n + 2; it++) {
            if (total - poor_w <= 0)
                break;
            rho = (c - paid) / (total - poor_w);
            double now = 0.0;
            for (Py_ssize_t i = 0; i < n; i++)
                if (b[sup[i]] < rho)
                    now += ws[i];
            if (now == poor_w)
                break;
            poor_w = now;
            paid = 0.0;
            for (Py_ssize_t i = 0; i < n; i++)
                if (b[sup[i]] < rho)
                    paid += ws[i] * b[sup[i]];
        }
        if (it == n + 2 || total - poor_w <= 0) {
            *why = "poor";
            return UNSURE;
        }
        if (slopes)
            for (Py_ssize_t i = 0; i < n; i++)
                if (b[sup[i]] < rho)
                    paid_v += ws[i] * v[sup[i]];
    } else {
        rho = c / total;  /* nobody is short even at the floor: everyone pays the same */
    }
    const double rich = total - poor_w;
    const double e_rho = (poor_w * eb + 2 * n * U * (paid + c)) / rich + 2 * U * rho;
    const double rho_v = -paid_v / rich;
    const double e_rho_v = (poor_w * ev + 2 * n * U * fabs(paid_v)) / rich + 2 * U * fabs(rho_v);
    /* every supporter clearly poor or clearly rich */
    double gap = INFINITY;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double d = fabs(b[sup[i]] - rho);
        if (d < gap)
            gap = d;
    }
    if (gap <= A_SAFE * (eb + e_rho) + 4 * U * rho) {
        *why = "margin";
        return UNSURE;
    }
    const double alpha = rho / c, slope = rho_v / c;
    *out = (Alpha){alpha, slope, e_rho / c + 2 * U * alpha, e_rho_v / c + 2 * U * fabs(slope),
                   rho, rho_v, e_rho, e_rho_v};
    return PRICED;
}

/* One affine bound m + sl * (x - s) > 0, shrunk by its errors (float_approval._hi, element by
 * element): the x where it stops holding, +inf if it never does, or s itself when it
 * already fails (a valid, if useless, bound). Returns 1 in that last case. */
static int hi_one(double m, double sl, double em, double es, double s, double *x)
{
    const double slope = sl - A_SAFE * es - 1e-300;
    *x = INFINITY;
    if (!(slope < 0))
        return 0;
    const double margin = m - A_SAFE * em;
    if (!(margin > 0))  /* NaN too */
        return 1;
    *x = s + margin / -slope;
    return 0;
}

/* A set of bounds as float_approval._hi takes them: s if any fails, else the least x, shrunk. */
typedef struct {
    double low, s;
    int fails;
} HiSet;

static void hi_add(HiSet *h, double m, double sl, double em, double es)
{
    double x;
    if (hi_one(m, sl, em, es, h->s, &x))
        h->fails = 1;
    else if (x < h->low)
        h->low = x;
}

static double hi_of(const HiSet *h)
{
    return h->fails ? h->s : h->low * (1 - EPS);
}

/* The static arrays every approval function takes first: P, G, offsets, sup, ws, costs,
 * totals, groups (G x P, row-major). */
typedef struct {
    Py_ssize_t P, G;
    Py_buffer view[6];
    int got;
    const int64_t *off, *sup;
    const double *ws, *costs, *totals;
    const uint8_t *groups;
} Static;

static void static_release(Static *st)
{
    for (int i = 0; i < st->got; i++)
        PyBuffer_Release(&st->view[i]);
    st->got = 0;
}

static int static_get(Static *st, Py_ssize_t P, Py_ssize_t G, PyObject **o)
{
    st->P = P;
    st->G = G;
    st->got = 0;
    if (P < 0 || G < 0) {
        PyErr_SetString(PyExc_ValueError, "negative sizes");
        return -1;
    }
    if (get(o[0], &st->view[0], P + 1, sizeof(int64_t), 0))
        return -1;
    st->got = 1;
    st->off = st->view[0].buf;
    const int64_t nnz = st->off[P];
    const Py_ssize_t items[6] = {0, nnz, nnz, P, P, G * P};
    const Py_ssize_t sizes[6] = {0, sizeof(int64_t), sizeof(double), sizeof(double),
                                 sizeof(double), 1};
    for (; st->got < 6; st->got++)
        if (get(o[st->got], &st->view[st->got], items[st->got], sizes[st->got], 0)) {
            static_release(st);
            return -1;
        }
    st->sup = st->view[1].buf;
    st->ws = st->view[2].buf;
    st->costs = st->view[3].buf;
    st->totals = st->view[4].buf;
    st->groups = st->view[5].buf;
    return 0;  /* offsets and supporters were checked once, by check_supporters */
}

/* approval_candidates(P, G, offsets, sup, ws, costs, totals, groups, sv, ss, se, ses, alive,
 *                     b, v, eb, ev, s, slopes): the candidate loop of one round of
 * FastApproval.run. Open projects are priced cheapest lower bound (sv) first, until the next
 * one's lower bound is certainly above the best price; sv, ss, se, ses and alive are updated
 * in place. -> (winner or -1, [(q, Alpha fields)] of the winner and of the projects priced
 * close to it, hi over the bounds of the projects found unaffordable) or (None, reason). */
static PyObject *approval_candidates(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G;
    PyObject *o[6], *arr[7];
    double eb, ev, s_share;
    int slopes;
    if (!PyArg_ParseTuple(args, "nnOOOOOOOOOOOOOdddp", &P, &G, &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &arr[0], &arr[1], &arr[2], &arr[3], &arr[4], &arr[5],
                          &arr[6], &eb, &ev, &s_share, &slopes))
        return NULL;
    Static st;
    if (static_get(&st, P, G, o))
        return NULL;
    const Py_ssize_t f = sizeof(double);
    Py_buffer v[7];
    int got = 0;
    PyObject *result = NULL, *priced = NULL;
    double hi_short = INFINITY;  /* the unaffordable projects' bounds, one set each */
    Py_ssize_t *cand = NULL;
    Alpha *found_at = NULL;
    const Py_ssize_t items[7] = {P, P, P, P, P, G, G};
    const Py_ssize_t sizes[7] = {f, f, f, f, 1, f, f};
    for (; got < 7; got++)  /* sv, ss, se, ses and alive are written */
        if (get(arr[got], &v[got], items[got], sizes[got], got <= 4))
            goto release;
    const int64_t *off = st.off, *sup = st.sup;
    const double *ws = st.ws, *costs = st.costs, *totals = st.totals;
    double *sv = v[0].buf, *ss = v[1].buf, *se = v[2].buf, *ses = v[3].buf;
    uint8_t *alive = v[4].buf;
    const double *b = v[5].buf, *vv = v[6].buf;
    cand = malloc(sizeof(Py_ssize_t) * ((size_t)P + 1));
    found_at = malloc(sizeof(Alpha) * ((size_t)P + 1));
    priced = PyList_New(0);
    if (!cand || !found_at || !priced) {
        PyErr_NoMemory();
        goto release;
    }
    Py_ssize_t n = 0, n_priced = 0, best = -1;
    for (Py_ssize_t q = 0; q < P; q++)
        if (alive[q])
            cand[n++] = q;
    sort_by = sv;
    qsort(cand, n, sizeof *cand, by_stale);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_ssize_t q = cand[i];
        if (best >= 0
            && sv[q] - se[q] * A_SAFE > found_at[best].alpha + found_at[best].e_alpha * A_SAFE)
            break;
        Alpha a;
        const char *why = "";
        const int found = approval_alpha(sup + off[q], ws + off[q], off[q + 1] - off[q], b, vv,
                                         eb, ev, costs[q], totals[q],
                                         (sv[q] - se[q] * A_SAFE) * costs[q], slopes, &a, &why);
        if (found == UNSURE) {
            result = Py_BuildValue("(Os)", Py_None, why);
            goto release;
        }
        if (found == SHORT) {
            alive[q] = 0;
            if (!slopes)
                continue;
            HiSet h = {INFINITY, s_share, 0};
            hi_add(&h, a.alpha, a.slope, a.e_alpha, a.e_slope);
            hi_short = fmin(hi_short, hi_of(&h));
            continue;
        }
        sv[q] = a.alpha;
        ss[q] = a.slope;
        se[q] = a.e_alpha;
        ses[q] = a.e_slope;
        found_at[n_priced] = a;
        cand[n_priced++] = q;  /* cand[i] is read already: its slots before i are free */
        if (best < 0 || a.alpha < found_at[best].alpha)
            best = n_priced - 1;
    }
    /* the winner, and the projects priced within twice the near-tie margin of it (the
     * caller finds the near ties among those, on the same test at the margin itself) */
    for (Py_ssize_t i = 0; i < n_priced && best >= 0; i++) {
        const Alpha *a = &found_at[i], *w = &found_at[best];
        if (i != best
            && !(a->alpha - w->alpha <= 2 * (A_SAFE * (a->e_alpha + w->e_alpha)
                                             + 4 * U * fabs(w->alpha))))
            continue;
        PyObject *item = Py_BuildValue("(n(dddddddd))", cand[i], a->alpha, a->slope,
                                       a->e_alpha, a->e_slope, a->rho, a->rho_v, a->e_rho,
                                       a->e_rho_v);
        if (!item || PyList_Append(priced, item)) {
            Py_XDECREF(item);
            goto release;
        }
        Py_DECREF(item);
    }
    result = Py_BuildValue("(nOd)", best >= 0 ? cand[best] : -1, priced, hi_short);
release:
    free(cand);
    free(found_at);
    Py_XDECREF(priced);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    static_release(&st);
    return result;
}

/* check_supporters(P, G, offsets, sup): the flat supporter lists every function here indexes
 * with, checked once when they are built: offsets in order and within the list, each
 * supporter a group in [0, G). The other functions trust them, as they trust the sizes. */
static PyObject *check_supporters(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G;
    PyObject *o[2];
    if (!PyArg_ParseTuple(args, "nnOO", &P, &G, &o[0], &o[1]))
        return NULL;
    if (P < 0 || G < 0)
        return PyErr_Format(PyExc_ValueError, "negative sizes");
    Py_buffer v[2];
    if (get(o[0], &v[0], P + 1, sizeof(int64_t), 0))
        return NULL;
    const int64_t *off = v[0].buf;
    const int64_t nnz = off[P];
    PyObject *result = NULL;
    if (nnz < 0) {
        PyErr_SetString(PyExc_ValueError, "offsets out of order");
        PyBuffer_Release(&v[0]);
        return NULL;
    }
    if (get(o[1], &v[1], nnz, sizeof(int64_t), 0)) {
        PyBuffer_Release(&v[0]);
        return NULL;
    }
    const int64_t *sup = v[1].buf;
    for (Py_ssize_t q = 0; q < P; q++)
        if (off[q] < 0 || off[q] > off[q + 1] || off[q + 1] > nnz) {
            PyErr_SetString(PyExc_ValueError, "offsets out of order");
            goto release;
        }
    for (int64_t j = 0; j < nnz; j++)
        if (sup[j] < 0 || sup[j] >= G) {
            PyErr_SetString(PyExc_ValueError, "supporter out of range");
            goto release;
        }
    result = Py_NewRef(Py_None);
release:
    PyBuffer_Release(&v[1]);
    PyBuffer_Release(&v[0]);
    return result;
}

/* approval_settle(P, G, offsets, sup, ws, costs, totals, groups, winner, rho, rho_v, e_rho,
 *                 e_rho_v, eb, ev, b, v, sv, ss, se, ses, alive, twins, a, a_slope, e_a,
 *                 e_a_slope, s, track, winners)
 * The rest of a round of FastApproval.run once its winner is known, but for its exact price:
 * with track, hi over the winner's bounds (its poor stay poor, its rich stay rich) and the
 * others' (each stays dearer than the winner, twins aside); then who pays: the rich weight,
 * the poor weight (poor groups with money left) and that weight on each earlier winner.
 * -> (hi, rich weight, poor weight, [poor weight approving winners[r]]) */
static PyObject *approval_settle(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G, q;
    PyObject *o[6], *arr[7], *twins, *winners_obj;
    double rho, rho_v, e_rho, e_rho_v, eb, ev, a, a_sl, e_a, e_a_sl, s;
    int track;
    if (!PyArg_ParseTuple(args, "nnOOOOOOnddddddOOOOOOOOdddddpO", &P, &G, &o[0], &o[1], &o[2],
                          &o[3], &o[4], &o[5], &q, &rho, &rho_v, &e_rho, &e_rho_v, &eb, &ev,
                          &arr[0], &arr[1], &arr[2], &arr[3], &arr[4], &arr[5], &arr[6], &twins,
                          &a, &a_sl, &e_a, &e_a_sl, &s, &track, &winners_obj))
        return NULL;
    Static st;
    if (static_get(&st, P, G, o))
        return NULL;
    Py_buffer v[8];
    int got = 0;
    PyObject *result = NULL, *counts = NULL, *tw = NULL;
    uint8_t *skip = NULL;
    if (q < 0 || q >= P) {
        PyErr_SetString(PyExc_ValueError, "winner out of range");
        goto release;
    }
    const Py_ssize_t items[7] = {G, G, P, P, P, P, P};
    const Py_ssize_t sizes[7] = {8, 8, 8, 8, 8, 8, 1};
    for (; got < 7; got++)
        if (get(arr[got], &v[got], items[got], sizes[got], 0))
            goto release;
    if (PyObject_GetBuffer(winners_obj, &v[7], PyBUF_C_CONTIGUOUS))
        goto release;
    got = 8;
    const double *b = v[0].buf, *vv = v[1].buf, *sv = v[2].buf, *ss = v[3].buf,
                 *se = v[4].buf, *ses = v[5].buf;
    const uint8_t *alive = v[6].buf;
    const int64_t *winners = v[7].buf;
    const Py_ssize_t n_winners = v[7].len / (Py_ssize_t)sizeof(int64_t);
    for (Py_ssize_t r = 0; r < n_winners; r++)
        if (winners[r] < 0 || winners[r] >= P) {
            PyErr_SetString(PyExc_ValueError, "winner out of range");
            goto release;
        }
    const int64_t *sup = st.sup + st.off[q];
    const double *ws = st.ws + st.off[q];
    const Py_ssize_t n = st.off[q + 1] - st.off[q];
    double hi = INFINITY;
    if (track) {
        /* the winner's poor stay poor and its rich stay rich */
        HiSet own = {INFINITY, s, 0};
        for (Py_ssize_t i = 0; i < n; i++) {
            const double bi = b[sup[i]], vi = vv[sup[i]], sign = bi < rho ? 1.0 : -1.0;
            hi_add(&own, sign * (rho - bi), sign * (rho_v - vi),
                   (eb + e_rho) + (fabs(rho) + fabs(bi)) * EPS,
                   (ev + e_rho_v) + (fabs(rho_v) + fabs(vi)) * EPS);
        }
        hi = fmin(hi, hi_of(&own));
        /* every other open project stays dearer than the winner; a twin (the same exact
         * price and slope) loses to it by the tie-break alike */
        skip = calloc((size_t)P + 1, 1);
        tw = PySequence_Fast(twins, "twins must be a sequence");
        if (!skip || !tw) {
            if (!skip)
                PyErr_NoMemory();
            goto release;
        }
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(tw); i++) {
            const Py_ssize_t t = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(tw, i));
            if (t < 0 || t >= P) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "twin out of range");
                goto release;
            }
            skip[t] = 1;
        }
        HiSet others = {INFINITY, s, 0};
        for (Py_ssize_t r = 0; r < P; r++)
            if (alive[r] && !skip[r])
                hi_add(&others, sv[r] - a, ss[r] - a_sl, se[r] + e_a + (fabs(sv[r]) + fabs(a)) * EPS,
                       ses[r] + e_a_sl + (fabs(ss[r]) + fabs(a_sl)) * EPS);
        hi = fmin(hi, hi_of(&others));
    }
    /* who pays: the poor (below the price, with money left) pay all they have */
    double rich_w = 0.0, poor_w = 0.0;
    counts = PyList_New(n_winners);
    if (!counts)
        goto release;
    double *per = calloc((size_t)n_winners + 1, sizeof(double));
    if (!per) {
        PyErr_NoMemory();
        goto release;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const double bi = b[sup[i]];
        if (!(bi < rho)) {
            rich_w += ws[i];
        } else if (bi > 0) {
            poor_w += ws[i];
            const uint8_t *row = st.groups + sup[i] * P;
            for (Py_ssize_t r = 0; r < n_winners; r++)
                if (row[winners[r]])
                    per[r] += ws[i];
        }
    }
    for (Py_ssize_t r = 0; r < n_winners; r++) {
        PyObject *x = PyLong_FromDouble(per[r]);
        if (!x) {
            free(per);
            goto release;
        }
        PyList_SET_ITEM(counts, r, x);
    }
    free(per);
    PyObject *h = PyFloat_FromDouble(hi), *rw = PyLong_FromDouble(rich_w),
             *pw = PyLong_FromDouble(poor_w);
    if (h && rw && pw)
        result = PyTuple_Pack(4, h, rw, pw, counts);
    Py_XDECREF(h);
    Py_XDECREF(rw);
    Py_XDECREF(pw);
release:
    free(skip);
    Py_XDECREF(tw);
    Py_XDECREF(counts);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    static_release(&st);
    return result;
}

/* approval_apply(P, G, offsets, sup, ws, costs, totals, groups, winner, rho_f, rho, rho_v, b,
 *                v, broke_at, round, track, vmax): pay the winner at its exact price (rho,
 * rho_v: as floats); the poor, found on the float price rho_f as in approval_settle, pay all
 * they have and go broke in this round. -> vmax, the largest |slope| of a rich budget. */
static PyObject *approval_apply(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G, q, round;
    PyObject *o[6], *arr[3];
    double rho_f, rho, rho_v, vmax;
    int track;
    if (!PyArg_ParseTuple(args, "nnOOOOOOndddOOOnpd", &P, &G, &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &q, &rho_f, &rho, &rho_v, &arr[0], &arr[1], &arr[2],
                          &round, &track, &vmax))
        return NULL;
    Static st;
    if (static_get(&st, P, G, o))
        return NULL;
    Py_buffer v[3];
    int got = 0;
    PyObject *result = NULL;
    if (q < 0 || q >= P) {
        PyErr_SetString(PyExc_ValueError, "winner out of range");
        goto release;
    }
    const Py_ssize_t sizes[3] = {8, 8, 8};
    for (; got < 3; got++)
        if (get(arr[got], &v[got], G, sizes[got], 1))
            goto release;
    double *b = v[0].buf, *vv = v[1].buf;
    int64_t *broke_at = v[2].buf;
    for (int64_t j = st.off[q]; j < st.off[q + 1]; j++) {
        const int64_t g = st.sup[j];
        if (b[g] < rho_f) {
            if (b[g] > 0) {
                b[g] = 0.0;
                broke_at[g] = round;
                if (track)
                    vv[g] = 0.0;
            }
        } else {
            b[g] -= rho;
            if (track) {
                vv[g] -= rho_v;
                vmax = fmax(vmax, fabs(vv[g]));
            }
        }
    }
    result = PyFloat_FromDouble(vmax);
release:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    static_release(&st);
    return result;
}

/* ---------------------------------------------------------------- phragmen */

/* phragmen_loads(weight, rows, floats, costs, remaining, window): phragmen.Loads.cheapest
 * in floats. weight is (P + 1) x P int64 (weight[j, q]: q's supporters whose load is the j-th
 * value), floats the first rows load values, remaining a P-byte mask. Each remaining project's
 * new load is (sum_j floats[j] * weight[j, q] + cost) / its supporters' weight.
 * -> the projects whose new load is within the relative window of the least (the caller
 * decides among them on exact loads). */
static PyObject *phragmen_loads(PyObject *self, PyObject *args)
{
    PyObject *o[4];
    Py_ssize_t rows;
    double window;
    if (!PyArg_ParseTuple(args, "OnOOOd", &o[0], &rows, &o[1], &o[2], &o[3], &window))
        return NULL;
    Py_buffer v[4];
    int got = 0;
    PyObject *result = NULL;
    double *load = NULL;
    if (PyObject_GetBuffer(o[2], &v[0], PyBUF_C_CONTIGUOUS))  /* costs: P doubles */
        return NULL;
    got = 1;
    const Py_ssize_t P = v[0].len / (Py_ssize_t)sizeof(double);
    if (rows < 1 || rows > P + 1) {
        PyErr_SetString(PyExc_ValueError, "rows out of range");
        goto release;
    }
    const Py_ssize_t items[3] = {(P + 1) * P, rows, P};
    const Py_ssize_t sizes[3] = {sizeof(int64_t), sizeof(double), 1};
    PyObject *objs[3] = {o[0], o[1], o[3]};
    for (; got < 4; got++)
        if (get(objs[got - 1], &v[got], items[got - 1], sizes[got - 1], 0))
            goto release;
    const double *costs = v[0].buf, *floats = v[2].buf;
    const int64_t *weight = v[1].buf;
    const uint8_t *remaining = v[3].buf;
    load = malloc(sizeof(double) * ((size_t)P + 1));
    if (!load) {
        PyErr_NoMemory();
        goto release;
    }
    double least = INFINITY;
    for (Py_ssize_t q = 0; q < P; q++) {
        load[q] = NAN;
        if (!remaining[q])
            continue;
        double paid = 0.0, total = 0.0;
        for (Py_ssize_t j = 0; j < rows; j++) {
            const double n = (double)weight[j * P + q];
            paid += floats[j] * n;
            total += n;
        }
        load[q] = (paid + costs[q]) / total;
        if (load[q] < least)
            least = load[q];
    }
    result = PyList_New(0);
    for (Py_ssize_t q = 0; result && q < P; q++) {
        if (!(load[q] <= least * (1 + window)))
            continue;
        PyObject *x = PyLong_FromSsize_t(q);
        const int bad = !x || PyList_Append(result, x);
        Py_XDECREF(x);
        if (bad) {
            Py_CLEAR(result);
            break;
        }
    }
release:
    free(load);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    return result;
}

/* phragmen_fund(P, G, offsets, sup, approved_at, approved, w, last, weight, q, row):
 * phragmen.Loads._move. Every supporter group of q (sup[offsets[q]:offsets[q + 1]]) moves its
 * weight, on every project it approves (approved[approved_at[g]:approved_at[g + 1]]), from the
 * row of its old load value to the new row, which becomes its load. */
static PyObject *phragmen_fund(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G, q, row;
    PyObject *o[7];
    if (!PyArg_ParseTuple(args, "nnOOOOOOOnn", &P, &G, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                          &o[6], &q, &row))
        return NULL;
    if (P < 0 || G < 0 || q < 0 || q >= P || row < 1 || row > P)
        return PyErr_Format(PyExc_ValueError, "project or row out of range");
    Py_buffer view[7];
    int got = 0;
    PyObject *result = NULL;
    const Py_ssize_t i8 = sizeof(int64_t);
    if (get(o[0], &view[0], P + 1, i8, 0))
        return NULL;
    got = 1;
    if (get(o[2], &view[1], G + 1, i8, 0))
        goto release;
    got = 2;
    const int64_t *off = view[0].buf, *at = view[1].buf;
    const Py_ssize_t items[5] = {off[P], at[G], G, G, (P + 1) * P};
    PyObject *objs[5] = {o[1], o[3], o[4], o[5], o[6]};
    for (; got < 7; got++)
        if (get(objs[got - 2], &view[got], items[got - 2], i8, got >= 5))
            goto release;
    const int64_t *sup = view[2].buf, *approved = view[3].buf, *w = view[4].buf;
    int64_t *last = view[5].buf, *weight = view[6].buf;
    for (int64_t j = off[q]; j < off[q + 1]; j++) {
        const int64_t g = sup[j];
        const int64_t old = last[g];
        if (g < 0 || g >= G || old < 0 || old >= row) {
            PyErr_SetString(PyExc_ValueError, "a supporter or its load row is out of range");
            goto release;
        }
        for (int64_t k = at[g]; k < at[g + 1]; k++) {
            const int64_t p = approved[k];
            if (p < 0 || p >= P) {
                PyErr_SetString(PyExc_ValueError, "an approved project is out of range");
                goto release;
            }
            weight[old * P + p] -= w[g];
            weight[row * P + p] += w[g];
        }
        last[g] = row;
    }
    result = Py_NewRef(Py_None);
release:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&view[i]);
    return result;
}

/* approval_cross(P, G, groups, live, w, winners) -> (base, cross): FastApproval.exact's
 * products. base[q]: the weight of project q's live supporter groups; cross[q][k]: the
 * weight of those that also approve winners[k] (bytes of int64, P and P x W). groups: G x P
 * bytes (1 where the group approves), live: G bytes, w: G int64, winners: W int64. */
static PyObject *approval_cross(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G;
    PyObject *o[4], *result = NULL, *base_obj = NULL, *cross_obj = NULL;
    if (!PyArg_ParseTuple(args, "nnOOOO", &P, &G, &o[0], &o[1], &o[2], &o[3]))
        return NULL;
    if (P < 0 || G < 0)
        return PyErr_Format(PyExc_ValueError, "P and G must not be negative");
    Py_buffer view[4];
    int got = 0;
    const Py_ssize_t items[3] = {G * P, G, G}, sizes[3] = {1, 1, sizeof(int64_t)};
    for (; got < 3; got++)
        if (get(o[got], &view[got], items[got], sizes[got], 0))
            goto release;
    if (PyObject_GetBuffer(o[3], &view[3], PyBUF_C_CONTIGUOUS))
        goto release;
    got = 4;
    const Py_ssize_t W = view[3].len / (Py_ssize_t)sizeof(int64_t);
    const uint8_t *groups = view[0].buf, *live = view[1].buf;
    const int64_t *w = view[2].buf, *winners = view[3].buf;
    for (Py_ssize_t k = 0; k < W; k++)
        if (winners[k] < 0 || winners[k] >= P) {
            PyErr_SetString(PyExc_ValueError, "a winner is out of range");
            goto release;
        }
    base_obj = PyBytes_FromStringAndSize(NULL, P * (Py_ssize_t)sizeof(int64_t));
    cross_obj = PyBytes_FromStringAndSize(NULL, P * W * (Py_ssize_t)sizeof(int64_t));
    Py_ssize_t *hit = PyMem_Malloc(((size_t)W + 1) * sizeof(Py_ssize_t));
    if (!base_obj || !cross_obj || !hit) {
        PyMem_Free(hit);
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto release;
    }
    int64_t *base = (int64_t *)PyBytes_AS_STRING(base_obj);
    int64_t *cross = (int64_t *)PyBytes_AS_STRING(cross_obj);
    memset(base, 0, (size_t)P * sizeof(int64_t));
    memset(cross, 0, (size_t)(P * W) * sizeof(int64_t));
    for (Py_ssize_t g = 0; g < G; g++) {
        if (!live[g])
            continue;
        const uint8_t *row = groups + g * P;
        Py_ssize_t n = 0;
        for (Py_ssize_t k = 0; k < W; k++)
            if (row[winners[k]])
                hit[n++] = k;
        for (Py_ssize_t q = 0; q < P; q++) {
            if (!row[q])
                continue;
            base[q] += w[g];
            for (Py_ssize_t i = 0; i < n; i++)
                cross[q * W + hit[i]] += w[g];
        }
    }
    PyMem_Free(hit);
    result = PyTuple_Pack(2, base_obj, cross_obj);
release:
    Py_XDECREF(base_obj);
    Py_XDECREF(cross_obj);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&view[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"check_supporters", check_supporters, METH_VARARGS, "Check flat supporter lists once."},
    {"points_run", points_run, METH_VARARGS, "One certified MES run on points ballots."},
    {"approval_candidates", approval_candidates, METH_VARARGS,
     "The candidate loop of a certified MES round on approval ballots."},
    {"approval_settle", approval_settle, METH_VARARGS,
     "The bounds of a round and who pays, once its winner is known."},
    {"approval_apply", approval_apply, METH_VARARGS, "Pay a round's winner at its exact price."},
    {"phragmen_loads", phragmen_loads, METH_VARARGS, "Phragmen's near-cheapest new loads."},
    {"phragmen_fund", phragmen_fund, METH_VARARGS, "Move a funded project's supporters' loads."},
    {"approval_cross", approval_cross, METH_VARARGS, "Live supporters' weights, per winner."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernel(void)
{
    return PyModule_Create(&module);
}
