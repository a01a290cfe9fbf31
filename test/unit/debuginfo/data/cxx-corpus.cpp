// Symbols for the c++filt demangling oracle (test/oracle/debuginfo-cxxfilt.test.ts): lambdas,
// unnamed and local types, templates (packs, non-type, template-template, defaults), operators,
// conversions, pointers to members, ref-qualifiers, abi tags, and (with a hosted compiler) std
// containers. Compiled by the test with `g++ -std=c++20 -c` (hosted) and
// `arm-none-eabi-g++ -std=c++17 -DFREESTANDING -c`; every defined or referenced symbol is compared.
#ifndef FREESTANDING
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>
#endif

namespace drv {
enum class Mode { Off, On };
struct Pin {
  int n;
  Pin(int x) : n(x) {}
  ~Pin() {}
  Pin &operator=(const Pin &o) { n = o.n; return *this; }
  bool operator==(const Pin &o) const { return n == o.n; }
  Pin operator+(int k) const { return Pin(n + k); }
  int operator()(int a, int b) const { return n + a + b; }
  int operator[](unsigned i) const { return n * int(i); }
  explicit operator bool() const { return n != 0; }
  operator int() const & { return n; }
  int get() && { return n; }
  int get() const & { return n; }
  void set(int v) volatile { n = v; }
  static int count;
};
int Pin::count = 0;

template <typename T, unsigned N> struct Ring {
  T data[N];
  unsigned head = 0;
  void push(const T &v) { data[head++ % N] = v; }
  template <typename F> void each(F f) { for (unsigned i = 0; i < N; i++) f(data[i]); }
};

template <typename... Ts> int count_args(Ts...) { return sizeof...(Ts); }
template <typename T> T twice(T v) { return v + v; }
template <int K> int plus_k(int v) { return v + K; }
template <Mode M> int mode_value() { return M == Mode::On; }
template <bool B, typename T = int> T pick(T a, T b) { return B ? a : b; }
template <template <typename, unsigned> class C, typename T> unsigned capacity(const C<T, 4> &) { return 4; }
template <typename T> auto deref(T *p) -> decltype(*p) { return *p; }

inline namespace v1 {
int versioned(int x) { return x + 1; }
}

struct [[gnu::abi_tag("cxx11")]] Tagged {
  int v;
};
Tagged make_tagged(int v) { return Tagged{v}; }

int (*table[2])(int) = {twice<int>, plus_k<3>};
int Pin::*member_ptr = &Pin::n;
int (Pin::*method_ptr)(int, int) const = &Pin::operator();

int apply(int (*fn)(int), int v) { return fn(v); }
void by_ref_array(int (&a)[4]) { a[0] = 1; }
void by_fn_ref(void (&fn)(int)) { fn(1); }
const volatile char *cv_ptr(const volatile char *p) { return p; }
} // namespace drv

namespace {
struct Hidden {
  int v;
  int get() const { return v; }
};
int use_hidden() { return Hidden{3}.get(); }
} // namespace

struct Outer {
  struct Inner {
    template <typename U> static U conv(U u) { return u; }
  };
  enum { Anonymous = 7 };
  struct {
    int x;
  } unnamed_member;
  int value() const {
    struct Local {
      int twice(int v) const { return v * 2; }
    };
    static int calls = 0;
    calls++;
    return Local().twice(unnamed_member.x) + calls;
  }
};

int lambdas(int k) {
  auto add = [k](int v) { return v + k; };
  auto nothing = [] {};
  auto generic = [](auto a, auto b) { return a + b; };
  auto nested = [&](int v) { return [v, k](int w) { return v * w + k; }(v); };
  nothing();
  drv::Ring<int, 4> ring;
  ring.push(add(1));
  int total = 0;
  ring.each([&total](int v) { total += v; });
  static auto stored = [](double d) { return d * 2; };
  return add(k) + generic(1, 2) + int(generic(1.5, 2.5)) + nested(3) + total + int(stored(1.0));
}

template <typename T> struct Holder {
  T value;
  template <typename U> Holder(U u) : value(u) {}
  Holder(const Holder &) = default;
  auto lambda_in_member() { return [this](int x) { return value + x; }(1); }
};

int templates() {
  drv::Pin p(2);
  drv::Ring<drv::Pin *, 4> r;
  r.push(&p);
  Holder<int> h(3.5);
  Holder<drv::Pin *> hp(&p);
  int a[4] = {};
  drv::by_ref_array(a);
  const int ci = 5;
  return drv::count_args(1, 'c', 2.0, &p, nullptr) + drv::twice(3) + int(drv::twice(1.5f)) + drv::plus_k<-4>(1) +
         drv::mode_value<drv::Mode::On>() + drv::pick<true>(1, 2) + int(drv::pick<false, long>(1, 2)) +
         int(drv::capacity(r)) + drv::deref(&ci) + h.lambda_in_member() + (p + 1).n + p(1, 2) + p[3] + int(p) +
         drv::Pin(4).get() + Outer::Inner::conv<short>(2) + Outer().value() + drv::versioned(1) + use_hidden() +
         drv::make_tagged(1).v + drv::apply(drv::twice<int>, 2) + (hp.value == &p) + int(bool(p));
}

struct Base {
  virtual ~Base() {}
  virtual int f() const = 0;
};
struct Derived : virtual Base {
  int f() const override { return 1; }
  ~Derived() override {}
};
int virtuals() {
  Derived d;
  const Base &b = d;
  return b.f();
}

#ifndef FREESTANDING
struct Key {
  int k;
  bool operator<(const Key &o) const { return k < o.k; }
};
int hosted() {
  std::vector<std::string> names{"a", "bc"};
  std::map<Key, std::vector<int>> index;
  index[Key{1}].push_back(2);
  std::function<int(int)> fn = [](int v) { return v * 3; };
  auto shared = std::make_shared<std::tuple<int, double, std::string>>(1, 2.0, "x");
  std::unique_ptr<drv::Pin> up(new drv::Pin(1));
  std::optional<std::pair<int, long>> opt = std::make_pair(1, 2L);
  std::variant<int, std::string> var = std::string("v");
  std::string joined;
  for (const auto &n : names) joined += n;
  return int(names.size() + index.size()) + fn(2) + std::get<0>(*shared) + up->n + opt->first +
         int(std::get<std::string>(var).size()) + int(joined.size());
}
#endif
