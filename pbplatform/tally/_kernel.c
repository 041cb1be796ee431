/* Compiled inner loops of the certified float MES runs (optional; see kernel.py).
 *
 * Each function here is a line-for-line port of a pure-Python/numpy function that stays the
 * reference and the fallback, and takes the same certified decisions: every bound is
 * checked, so a different summation order can only make a run more or less often "unsure"
 * (the caller then runs the exact method), never change a certified order.
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

/* ---------------------------------------------------------------- points (mes_fast_utility) */

#define NEWTON 12
#define SAFE 4.0 /* mes_fast_utility.SAFE */
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

/* Certified price bounds (lo, hi] of project q by Newton's steps from the pair x; 0 if unsure.
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

/* Every supporter pays min(budget, alpha * points): bounds move to max(0, hi - a_lo * u) and
 * max(0, lo - a_hi * u), rounded outward; groups that do not support q pay exactly 0. */
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

enum { DONE = 0, UNSURE_NEWTON = 1, UNSURE_CLOSE = 2 };

/* One round: the winner and its bounds, -1 when nothing is affordable, -2 when unsure. */
static Py_ssize_t points_round(Points *k, const double *guess, double shift, double *prices,
                               Py_ssize_t *cand, Py_ssize_t *priced, Price *found, int *why)
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
            *why = UNSURE_NEWTON;
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
            *why = UNSURE_CLOSE;
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

/* points_run(P, G, sp, sg, su, sw, swu, cost, floor, short, open, gamma, margin_lo,
 *            margin_hi, s, exact, shift, prev, cur)
 * -> (order, winner_hi, others_lo, closest) or (None, reason).
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
        int why = DONE;
        const Py_ssize_t q = points_round(&k, guess, shift, cur + t * P * 2, cand, cand + P,
                                          found, &why);
        if (q == -2) {
            result = Py_BuildValue("(Oi)", Py_None, why);
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

/* ---------------------------------------------------------------- approval (mes_fast) */

#define EPS 1e-9
#define A_SAFE 16.0 /* mes_fast.SAFE */

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

/* approval_candidates(P, G, offsets, sup, ws, costs, totals, sv, ss, se, ses, alive, b, v,
 *                     eb, ev, slopes): the candidate loop of one round of FastApproval.run.
 * Open projects are priced cheapest lower bound (sv) first, until the next one's lower bound
 * is certainly above the best price; sv, ss, se, ses and alive are updated in place.
 * -> (winner or -1, [(q, Alpha fields)], [shortfalls]) or (None, reason). */
static PyObject *approval_candidates(PyObject *self, PyObject *args)
{
    Py_ssize_t P, G;
    PyObject *o[12];
    double eb, ev;
    int slopes;
    if (!PyArg_ParseTuple(args, "nnOOOOOOOOOOOOddp", &P, &G, &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &o[6], &o[7], &o[8], &o[9], &o[10], &o[11], &eb, &ev,
                          &slopes))
        return NULL;
    if (P < 0 || G < 0)
        return PyErr_Format(PyExc_ValueError, "negative sizes");
    const Py_ssize_t f = sizeof(double), i8 = sizeof(int64_t);
    Py_buffer off_view, v[11];
    int got = 0;
    PyObject *result = NULL, *priced = NULL, *shorts = NULL;
    Py_ssize_t *cand = NULL;
    if (get(o[0], &off_view, P + 1, i8, 0))
        return NULL;
    const int64_t *off = off_view.buf;
    const int64_t nnz = off[P];
    const Py_ssize_t items[11] = {nnz, nnz, P, P, P, P, P, P, P, G, G};
    const Py_ssize_t sizes[11] = {i8, f, f, f, f, f, f, f, 1, f, f};
    for (; got < 11; got++)
        if (get(o[got + 1], &v[got], items[got], sizes[got], got >= 4 && got <= 8))
            goto release;
    const int64_t *sup = v[0].buf;
    const double *ws = v[1].buf, *costs = v[2].buf, *totals = v[3].buf;
    double *sv = v[4].buf, *ss = v[5].buf, *se = v[6].buf, *ses = v[7].buf;
    uint8_t *alive = v[8].buf;
    const double *b = v[9].buf, *vv = v[10].buf;
    for (Py_ssize_t q = 0; q < P; q++)
        if (off[q] > off[q + 1] || off[q] < 0 || off[q + 1] > nnz) {
            PyErr_SetString(PyExc_ValueError, "offsets out of order");
            goto release;
        }
    for (int64_t j = 0; j < nnz; j++)
        if (sup[j] < 0 || sup[j] >= G) {
            PyErr_SetString(PyExc_ValueError, "supporter out of range");
            goto release;
        }
    cand = malloc(sizeof(Py_ssize_t) * ((size_t)P + 1));
    priced = PyList_New(0);
    shorts = PyList_New(0);
    if (!cand || !priced || !shorts) {
        PyErr_NoMemory();
        goto release;
    }
    Py_ssize_t n = 0, best = -1;
    double best_alpha = 0.0, best_e = 0.0;
    for (Py_ssize_t q = 0; q < P; q++)
        if (alive[q])
            cand[n++] = q;
    sort_by = sv;
    qsort(cand, n, sizeof *cand, by_stale);
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_ssize_t q = cand[i];
        if (best >= 0 && sv[q] - se[q] * A_SAFE > best_alpha + best_e * A_SAFE)
            break;
        Alpha a;
        const char *why = "";
        const int found = approval_alpha(sup + off[q], ws + off[q], off[q + 1] - off[q], b, vv,
                                         eb, ev, costs[q], totals[q],
                                         (sv[q] - se[q] * A_SAFE) * costs[q], slopes, &a, &why);
        PyObject *item = NULL;
        if (found == UNSURE) {
            result = Py_BuildValue("(Os)", Py_None, why);
            goto release;
        }
        if (found == SHORT) {
            alive[q] = 0;
            if (!slopes)
                continue;
            item = Py_BuildValue("(dddd)", a.alpha, a.slope, a.e_alpha, a.e_slope);
            if (!item || PyList_Append(shorts, item)) {
                Py_XDECREF(item);
                goto release;
            }
            Py_DECREF(item);
            continue;
        }
        sv[q] = a.alpha;
        ss[q] = a.slope;
        se[q] = a.e_alpha;
        ses[q] = a.e_slope;
        item = Py_BuildValue("(n(dddddddd))", q, a.alpha, a.slope, a.e_alpha, a.e_slope, a.rho,
                             a.rho_v, a.e_rho, a.e_rho_v);
        if (!item || PyList_Append(priced, item)) {
            Py_XDECREF(item);
            goto release;
        }
        Py_DECREF(item);
        if (best < 0 || a.alpha < best_alpha) {
            best = q;
            best_alpha = a.alpha;
            best_e = a.e_alpha;
        }
    }
    result = Py_BuildValue("(nOO)", best, priced, shorts);
release:
    free(cand);
    Py_XDECREF(priced);
    Py_XDECREF(shorts);
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    PyBuffer_Release(&off_view);
    return result;
}

/* approval_hi(m, sl, em, es, s): mes_fast._hi, the largest x such that every
 * m + sl * (x - s) stays positive, each shrunk by its error bounds. */
static PyObject *approval_hi(PyObject *self, PyObject *args)
{
    PyObject *o[4];
    double s;
    if (!PyArg_ParseTuple(args, "OOOOd", &o[0], &o[1], &o[2], &o[3], &s))
        return NULL;
    Py_buffer v[4];
    if (PyObject_GetBuffer(o[0], &v[0], PyBUF_C_CONTIGUOUS))
        return NULL;
    const Py_ssize_t n = v[0].len / (Py_ssize_t)sizeof(double);
    int got = 1;
    PyObject *result = NULL;
    for (; got < 4; got++)
        if (get(o[got], &v[got], n, sizeof(double), 0))
            goto release;
    const double *m = v[0].buf, *sl = v[1].buf, *em = v[2].buf, *es = v[3].buf;
    double low = INFINITY;
    int falling = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double slope = sl[i] - A_SAFE * es[i] - 1e-300;
        if (!(slope < 0))
            continue;
        const double margin = m[i] - A_SAFE * em[i];
        if (!(margin > 0)) {  /* NaN too: s is a valid, if useless, bound */
            result = PyFloat_FromDouble(s);
            goto release;
        }
        const double x = s + margin / -slope;
        if (!falling || x < low)
            low = x;
        falling = 1;
    }
    result = PyFloat_FromDouble(falling ? low * (1 - EPS) : INFINITY);
release:
    for (int i = 0; i < got; i++)
        PyBuffer_Release(&v[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"points_run", points_run, METH_VARARGS, "One certified MES run on points ballots."},
    {"approval_candidates", approval_candidates, METH_VARARGS,
     "The candidate loop of a certified MES round on approval ballots."},
    {"approval_hi", approval_hi, METH_VARARGS, "The skip bound of a set of affine bounds."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernel(void)
{
    return PyModule_Create(&module);
}
