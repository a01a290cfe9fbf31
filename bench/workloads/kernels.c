/* Benchmark kernels: CRC-32 (bitwise, branch-free inner loop), heap sort of pseudo-random words,
   a linked-list walk through shuffled nodes, small non-inlined function calls, and a tight loop.
   Sizes fit the 16 KiB SRAM of the smallest target. */
#include "kernels.h"

#define NOINLINE __attribute__((noinline))

static uint32_t lcg(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* ---- CRC-32 over a 256-byte buffer ------------------------------------------------------- */

static uint8_t crc_buffer[256];

uint32_t kernel_crc32(uint32_t iterations)
{
    uint32_t seed = 1;
    for (uint32_t i = 0; i < sizeof crc_buffer; i++) crc_buffer[i] = (uint8_t)(lcg(&seed) >> 24);
    uint32_t crc = 0;
    for (uint32_t it = 0; it < iterations; it++) {
        crc = ~crc;
        for (uint32_t i = 0; i < sizeof crc_buffer; i++) {
            crc ^= crc_buffer[i];
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
        crc = ~crc;
    }
    return crc;
}

/* ---- heap sort of 512 words ------------------------------------------------------------- */

#define SORT_COUNT 512u
static uint32_t sort_values[SORT_COUNT];

static void sift_down(uint32_t *a, uint32_t root, uint32_t end)
{
    for (;;) {
        uint32_t child = 2u * root + 1u;
        if (child > end) return;
        if (child + 1u <= end && a[child] < a[child + 1u]) child++;
        if (a[root] >= a[child]) return;
        uint32_t t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

uint32_t kernel_sort(uint32_t iterations)
{
    uint32_t seed = 7, sum = 0;
    for (uint32_t it = 0; it < iterations; it++) {
        for (uint32_t i = 0; i < SORT_COUNT; i++) sort_values[i] = lcg(&seed);
        for (uint32_t start = SORT_COUNT / 2u; start-- > 0u;) sift_down(sort_values, start, SORT_COUNT - 1u);
        for (uint32_t end = SORT_COUNT - 1u; end > 0u; end--) {
            uint32_t t = sort_values[0];
            sort_values[0] = sort_values[end];
            sort_values[end] = t;
            sift_down(sort_values, 0, end - 1u);
        }
        sum = sum * 31u + sort_values[it % SORT_COUNT];
    }
    return sum;
}

/* ---- linked-list walk over 256 shuffled nodes ---------------------------------------------- */

#define LIST_COUNT 256u
struct node {
    struct node *next;
    uint32_t value;
};
static struct node nodes[LIST_COUNT];

uint32_t kernel_list(uint32_t iterations)
{
    uint8_t order[LIST_COUNT];
    uint32_t seed = 3;
    for (uint32_t i = 0; i < LIST_COUNT; i++) order[i] = (uint8_t)i;
    for (uint32_t i = LIST_COUNT - 1u; i > 0u; i--) {
        uint32_t j = lcg(&seed) % (i + 1u);
        uint8_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < LIST_COUNT; i++) {
        nodes[order[i]].next = i + 1u < LIST_COUNT ? &nodes[order[i + 1u]] : 0;
        nodes[order[i]].value = lcg(&seed);
    }
    uint32_t sum = 0;
    for (uint32_t it = 0; it < iterations; it++) {
        for (const struct node *n = &nodes[order[0]]; n != 0; n = n->next) sum += n->value ^ it;
    }
    return sum;
}

/* ---- function calls ----------------------------------------------------------------------- */

NOINLINE static uint32_t mix(uint32_t a, uint32_t b)
{
    return (a << 5) + (a >> 2) + b;
}

NOINLINE static uint32_t fib(uint32_t n)
{
    return n < 2u ? n : mix(fib(n - 1u), fib(n - 2u)) & 0xffffu;
}

uint32_t kernel_calls(uint32_t iterations)
{
    uint32_t sum = 0;
    for (uint32_t it = 0; it < iterations; it++) sum += fib(12u + (it & 1u));
    return sum;
}

/* ---- tight loop --------------------------------------------------------------------------- */

uint32_t kernel_loop(uint32_t iterations)
{
    uint32_t acc = 0x12345678u;
    for (uint32_t i = 0; i < iterations; i++) {
        acc += i;
        acc ^= acc >> 3;
    }
    return acc;
}
