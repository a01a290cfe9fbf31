/* Reads console lines with semihosting (SYS_READC and SYS_READ) and echoes them; exits 0. */
#include <stdint.h>
#include "semihosting.h"

static uint32_t call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int main(void)
{
    char line[32];
    uint32_t n = 0;
    for (;;) {
        uint32_t c = call(0x07, 0); /* SYS_READC */
        if (c == '\n' || n + 1 >= sizeof line) break;
        line[n++] = (char)c;
    }
    line[n] = 0;
    sh_printf("readc: %s\n", line);
    char buf[16] = { 0 };
    uint32_t args[3] = { 1 /* :tt opened for reading */, (uint32_t)buf, sizeof buf - 1 };
    uint32_t left = call(0x06, args); /* SYS_READ */
    sh_printf("read: %u bytes: %s", (uint32_t)(sizeof buf - 1 - left), buf);
    sh_exit(0);
}
