//! Statics of many Rust types, for the value reader's unit tests (test/unit/debuginfo/values.test.ts).
#![no_std]
#![allow(dead_code)]
use core::num::NonZeroU32;

pub struct Point {
    pub x: i32,
    pub y: i16,
}
pub struct Wrapper(pub u32, pub bool);
pub enum Shape {
    Circle { r: u32 },
    Rect(u16, u16),
    Empty,
}
pub enum Color {
    Red,
    Green = 5,
    Blue,
}

#[no_mangle] pub static S_U8: u8 = 200;
#[no_mangle] pub static S_I8: i8 = -5;
#[no_mangle] pub static S_U16: u16 = 65000;
#[no_mangle] pub static S_I16: i16 = -300;
#[no_mangle] pub static S_U32: u32 = 4000000000;
#[no_mangle] pub static S_I32: i32 = -70000;
#[no_mangle] pub static S_U64: u64 = 1 << 40;
#[no_mangle] pub static S_I64: i64 = -3;
#[no_mangle] pub static S_U128: u128 = 1 << 100;
#[no_mangle] pub static S_USIZE: usize = 12;
#[no_mangle] pub static S_F32: f32 = 1.5;
#[no_mangle] pub static S_F32B: f32 = 0.1;
#[no_mangle] pub static S_F64: f64 = -2.25;
#[no_mangle] pub static S_BOOL: bool = true;
#[no_mangle] pub static S_CHAR: char = 'é';
#[no_mangle] pub static S_UNIT: () = ();
#[no_mangle] pub static S_POINT: Point = Point { x: 3, y: -4 };
#[no_mangle] pub static S_WRAPPER: Wrapper = Wrapper(5, false);
#[no_mangle] pub static S_TUPLE: (u8, i32, bool) = (1, -2, true);
#[no_mangle] pub static S_ARR: [u16; 4] = [10, 20, 30, 40];
#[no_mangle] pub static S_ARR2: [[u8; 3]; 2] = [[1, 2, 3], [4, 5, 6]];
#[no_mangle] pub static S_BIG_ARR: [u32; 40] = [7; 40];
#[no_mangle] pub static S_STR: &str = "hello";
#[no_mangle] pub static S_SLICE: &[u32] = &[1, 2, 3];
#[no_mangle] pub static S_REF: &Point = &S_POINT;
#[no_mangle] pub static S_OPT_SOME: Option<u32> = Some(3);
#[no_mangle] pub static S_OPT_NONE: Option<u32> = None;
#[no_mangle] pub static S_OPT_REF: Option<&u32> = Some(&S_U32);
#[no_mangle] pub static S_OPT_REF_NONE: Option<&u32> = None;
#[no_mangle] pub static S_OPT_NZ: Option<NonZeroU32> = NonZeroU32::new(7);
#[no_mangle] pub static S_OPT_NZ_NONE: Option<NonZeroU32> = None;
#[no_mangle] pub static S_OPT_BOOL: Option<bool> = Some(true);
#[no_mangle] pub static S_OPT_BOOL_NONE: Option<bool> = None;
#[no_mangle] pub static S_NESTED: Option<Option<u8>> = Some(None);
#[no_mangle] pub static S_RES_OK: Result<u32, i8> = Ok(9);
#[no_mangle] pub static S_RES_ERR: Result<u32, i8> = Err(-1);
#[no_mangle] pub static S_SHAPE_CIRCLE: Shape = Shape::Circle { r: 8 };
#[no_mangle] pub static S_SHAPE_RECT: Shape = Shape::Rect(2, 3);
#[no_mangle] pub static S_SHAPE_EMPTY: Shape = Shape::Empty;
#[no_mangle] pub static S_COLOR: Color = Color::Green;
#[no_mangle] pub static S_OPT_STR: Option<&str> = Some("hi");
