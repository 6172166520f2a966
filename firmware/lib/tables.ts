// Element access for the fixed tables boards keep in static memory (memory.data):
// element i of a u32, u64 or f64 array starting at `base`.

@inline export function u32at(base: usize, i: i32): u32 {
  return load<u32>(base + (<usize>i << 2));
}
@inline export function setU32(base: usize, i: i32, v: u32): void {
  store<u32>(base + (<usize>i << 2), v);
}
@inline export function u64at(base: usize, i: i32): u64 {
  return load<u64>(base + (<usize>i << 3));
}
@inline export function setU64(base: usize, i: i32, v: u64): void {
  store<u64>(base + (<usize>i << 3), v);
}
@inline export function f64at(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline export function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
