import { strict as assert } from 'node:assert';
import { demangle, demangleRustLegacy } from '../../../src/debuginfo/demangle';
import { demangleRustV0 } from '../../../src/debuginfo/demangle-rust-v0';

describe('debuginfo/demangle: Rust legacy', () => {
  it('strips the hash and joins the path', () => {
    assert.equal(demangle('_ZN5hello4main17h0123456789abcdefE'), 'hello::main');
    assert.equal(demangle('_ZN5hello4main17h0123456789abcdefE', { verbose: true }), 'hello::main::h0123456789abcdef');
  });
  it('decodes $-escapes and ..', () => {
    assert.equal(demangle('_ZN44_$LT$$RF$T$u20$as$u20$core..fmt..Display$GT$3fmt17hcd1f6c9d7af2f513E'), '<&T as core::fmt::Display>::fmt');
    assert.equal(demangle('_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h1234567890abcdefE'), 'core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>');
  });
  it('leaves C++ names and plain names to the other demanglers', () => {
    assert.equal(demangleRustLegacy('_ZN3foo3barEv'), undefined);
    assert.equal(demangle('main'), 'main');
    assert.equal(demangle('_ZN3fooE$zz$'), '_ZN3fooE$zz$');
  });
});

describe('debuginfo/demangle: Rust v0', () => {
  it('prints paths, impls and generic arguments', () => {
    assert.equal(demangleRustV0('_RNvCs1234_5hello4main'), 'hello::main');
    assert.equal(demangleRustV0('_RNvCs1234_5hello4main', true), 'hello[3c1c0]::main');
    assert.equal(demangleRustV0('_RNvXs_NtCs1234_5hello3fooNtB4_3BarNtNtCs5_4core3fmt5Debug3fmt'), '<hello::foo::Bar as core::fmt::Debug>::fmt');
  });
  it('prints closures, consts, tuples, references, dyn and punycode', () => {
    assert.equal(demangleRustV0('_RNCNvCs1_4main4clos0B3_'), 'main::clos::{closure#0}');
    assert.equal(demangleRustV0('_RINvCs1_4main3arrKj7_EB2_'), 'main::arr::<7>');
    assert.equal(demangleRustV0('_RINvCs1_4main3arrKj7_EB2_', true), 'main[3]::arr::<7: usize>');
    assert.equal(demangleRustV0('_RINvCs1_4main1fTRehQlEEB2_'), 'main::f::<(&str, u8, &mut i32)>');
    assert.equal(demangleRustV0('_RINvCs1_4main1fDNtCs2_4core4SendEL_EB2_'), 'main::f::<dyn core::Send>');
    assert.equal(demangleRustV0('_RNvNtCs32gj3y4fnmh_4mainu13ncd_dma1a7bzbu9gre_6ka8l'), 'main::ünïcödé::grüße');
  });
  it('rejects malformed input without throwing', () => {
    for (const s of ['_R', '_RN', '_RNvC', '_RB_', '_RNvCs1234_5hello9main', '_RINvCs1_1fKbff_E', '_RC' + '9'.repeat(30)]) {
      assert.equal(demangleRustV0(s), undefined, s);
    }
  });
});

describe('debuginfo/demangle: Itanium C++ (basic)', () => {
  const cases: Array<[string, string]> = [
    ['_ZN2hw4gpio3Pin4makeEii', 'hw::gpio::Pin::make(int, int)'],
    ['_ZN2hw4gpio3PinD2Ev', 'hw::gpio::Pin::~Pin()'],
    ['_ZNK2hw4gpio3PinplERKS1_', 'hw::gpio::Pin::operator+(hw::gpio::Pin const&) const'],
    ['_ZNV2hw4gpio3Pin3setEb', 'hw::gpio::Pin::set(bool) volatile'],
    ['_Z2cbPFviERA4_iPKPKchaewDs', 'cb(void (*)(int), int (&) [4], char const* const*, unsigned char, signed char, long double, wchar_t, char16_t)'],
    ['_Z5maxofIiET_S0_S0_', 'int maxof<int>(int, int)'],
    ['_ZN4RingIPN2hw4gpio3PinELi4EE4pushERKS3_', 'Ring<hw::gpio::Pin*, 4>::push(hw::gpio::Pin* const&)'],
    ['_ZTV4Base', 'vtable for Base'],
    ['_ZZ10use_hiddeniE7counter', 'use_hidden(int)::counter'],
    ['_ZN3drv4UartILNS_4ModeE0EE4initEv', 'drv::Uart<(drv::Mode)0>::init()'],
    ['_Z3addii.constprop.0', 'add(int, int) [clone .constprop.0]'],
  ];
  for (const [mangled, want] of cases) {
    it(want, () => assert.equal(demangle(mangled), want));
  }
  const more: Array<[string, string]> = [
    ['_ZZ3lamiENKUliE_clEi', 'lam(int)::{lambda(int)#1}::operator()(int) const'],
    ['_ZZ7lambdasiENKUlvE0_clEv', 'lambdas(int)::{lambda()#2}::operator()() const'],
    ['_ZZ7lambdasiENKUlT_T0_E1_clIddEEDaS_S0_', 'auto lambdas(int)::{lambda(auto:1, auto:2)#3}::operator()<double, double>(double, double) const'],
    ['_ZN3drv4RingIiLj4EE4eachIZ7lambdasiEUliE3_EEvT_', 'void drv::Ring<int, 4u>::each<lambdas(int)::{lambda(int)#5}>(lambdas(int)::{lambda(int)#5})'],
    ['_ZN5OuterUt_C2Ev', 'Outer::{unnamed type#1}::Outer()'],
    ['_ZZ1fvENUlvE_C2Ev', 'f()::{lambda()#1}::f()'],
    ['_ZN3drv10count_argsIJicdPNS_3PinEDnEEEiDpT_', 'int drv::count_args<int, char, double, drv::Pin*, decltype(nullptr)>(int, char, double, drv::Pin*, decltype(nullptr))'],
    ['_ZN3drv10count_argsIJEEEiDpT_', 'int drv::count_args<>()'],
    ['_ZNKR3drv3PincviEv', 'drv::Pin::operator int() const &'],
    ['_ZNO3drv3Pin3getEv', 'drv::Pin::get() &&'],
    ['_ZTv0_n12_N7DerivedD1Ev', 'virtual thunk to Derived::~Derived()'],
    ['_ZThn4_N7Derived1fEv', 'non-virtual thunk to Derived::f()'],
    ['_ZN3drv5derefIKiEEDTdefp_EPT_', 'decltype (*{parm#1}) drv::deref<int const>(int const*)'],
    ['_ZN3drv8capacityINS_4RingEPNS_3PinEEEjRKT_IT0_Lj4EE', 'unsigned int drv::capacity<drv::Ring, drv::Pin*>(drv::Ring<drv::Pin*, 4u> const&)'],
    ['_ZNSt8functionIFiiEED2Ev', 'std::function<int (int)>::~function()'],
    ['_ZSt7forwardIRA2_KcEOT_RNSt16remove_referenceIS3_E4typeE', 'char const (&std::forward<char const (&) [2]>(std::remove_reference<char const (&) [2]>::type&)) [2]'],
  ];
  for (const [mangled, want] of more) {
    it(want, () => assert.equal(demangle(mangled), want));
  }

  it('never throws or hangs on mutated names', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const alphabet = '_0123456789ESIJNZTXDpLKRPOFAUltvhfcgsnwpi';
    const started = Date.now();
    for (let i = 0; i < 20000; i++) {
      const base = more[random(more.length)][0];
      const chars = [...base];
      for (let k = 1 + random(3); k > 0; k--) chars.splice(random(chars.length), random(2), alphabet[random(alphabet.length)]);
      const out = demangle(chars.join(''));
      assert.equal(typeof out, 'string');
    }
    assert.ok(Date.now() - started < 20000, 'too slow');
  });

  it('leaves malformed names unchanged', () => {
    assert.equal(demangle('_ZN3foo'), '_ZN3foo');
    assert.equal(demangle('_Z'), '_Z');
  });
});
