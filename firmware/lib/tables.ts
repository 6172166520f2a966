// Element access for the fixed tables boards keep in static memory (memory.data):
// element i of a u32 or u64 array starting at `base`.

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
