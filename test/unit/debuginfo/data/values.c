/* Globals of many C types, for the value reader's unit tests (test/unit/debuginfo/values.test.ts). */
#include <stdint.h>
enum color { RED, GREEN = 5, BLUE };
struct flags {
  unsigned a : 3;
  signed b : 5;
  unsigned c : 1;
  uint16_t d;
  unsigned e : 12;
};
struct point { int x; short y; };
union word { uint32_t u; uint8_t b[4]; float f; };
struct node { struct point p; const char *label; struct node *next; enum color c; };

char c_char = 'A';
unsigned char c_uchar = 250;
short c_short = -12;
unsigned long long c_ull = 10000000000ULL;
long long c_ll = -5;
float c_float = 0.5f;
double c_double = 3.25;
_Bool c_bool = 1;
enum color c_color = BLUE;
enum color c_color_bad = (enum color)9;
struct flags c_flags = { 5, -3, 1, 0xbeef, 0x123 };
struct point c_point = { 7, -8 };
union word c_word = { 0x3f800000u };
int c_matrix[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
char c_text[8] = "abc";
const char *c_msg = "hi there";
struct node c_node2 = { { 1, 2 }, "two", 0, RED };
struct node c_node1 = { { 3, 4 }, "one", &c_node2, GREEN };
int *c_null = 0;
void (*c_fn)(void) = 0;
