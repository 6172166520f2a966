import { describe, expect, it } from 'vitest';
import { DiagError, diagnose } from '../../protocol/diag.js';
import { bytes } from './golden.js';

describe('diagnose', () => {
  // RFC 8949 Appendix A, plus encoding indicators (RFC 8610 Appendix G.2).
  it.each([
    ['00', '0'],
    ['17', '23'],
    ['1818', '24'],
    ['1903e8', '1000'],
    ['1b000000e8d4a51000', '1000000000000'],
    ['1bffffffffffffffff', '18446744073709551615'],
    ['20', '-1'],
    ['3863', '-100'],
    ['3bffffffffffffffff', '-18446744073709551616'],
    ['f4', 'false'],
    ['f5', 'true'],
    ['f6', 'null'],
    ['f7', 'undefined'],
    ['f0', 'simple(16)'],
    ['f8ff', 'simple(255)'],
    ['f93c00', '1.0_1'],
    ['f97bff', '65504.0_1'],
    ['fa47c35000', '100000.0_2'],
    ['fb3ff199999999999a', '1.1_3'],
    ['f97c00', 'Infinity_1'],
    ['f97e00', 'NaN_1'],
    ['f98000', '-0.0_1'],
    ['c074323031332d30332d32315432303a30343a30305a', '0("2013-03-21T20:04:00Z")'],
    ['d74401020304', "23(h'01020304')"],
    ['40', "h''"],
    ['4401020304', "h'01020304'"],
    ['60', '""'],
    ['6161', '"a"'],
    ['62225c', '"\\"\\\\"'],
    ['62c3bc', '"ü"'],
    ['63e6b0b4', '"水"'],
    ['64f0908591', '"\u{10151}"'],
    ['80', '[]'],
    ['83010203', '[1, 2, 3]'],
    ['8301820203820405', '[1, [2, 3], [4, 5]]'],
    ['a0', '{}'],
    ['a201020304', '{1: 2, 3: 4}'],
    ['a26161016162820203', '{"a": 1, "b": [2, 3]}'],
    ['5f42010243030405ff', "(_ h'0102', h'030405')"],
    ['7f657374726561646d696e67ff', '(_ "strea", "ming")'],
    ['9fff', '[_ ]'],
    ['9f018202039f0405ffff', '[_ 1, [2, 3], [_ 4, 5]]'],
    ['bf61610161629f0203ffff', '{_ "a": 1, "b": [_ 2, 3]}'],
    ['1800', '0_0'],
    ['1a00000001', '1_2'],
    ['3b0000000000000000', '-1_3'],
    ['780161', '"a"_0'],
    ['980100', '[_0 0]'],
    ['b90001' + '0000', '{_1 0: 0}'],
  ])('%s is %s', (hex, diag) => {
    expect(diagnose(bytes(hex))).toBe(diag);
  });

  it('shows text that is not UTF-8 as its bytes', () => {
    expect(diagnose(bytes('62c328'))).toBe("h'c328'");
  });

  it('refuses input that is not one well-formed item', () => {
    expect(() => diagnose(bytes('83'))).toThrow(DiagError);
    expect(() => diagnose(bytes('0000'))).toThrow(DiagError);
    expect(() => diagnose(bytes('ff'))).toThrow(DiagError);
  });
});
