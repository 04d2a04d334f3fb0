// The long double core (src/core/long-double): glibc strtold's grammar and rounding, x87 addition, "%.17Lf",
// and Redis's string2ld / ld2string on top. Every expected text in the "as Redis 7.0 does" cases was read from
// a real redis-server 7.0.15 (INCRBYFLOAT on a missing or SET key); test/conformance/incrbyfloat.test.ts
// compares random inputs with a live server.

import { describe, expect, it } from 'vitest';
import { addLongDouble } from '../../src/core/long-double/add.js';
import { formatFixed } from '../../src/core/long-double/format.js';
import { ld2stringHuman, string2ld } from '../../src/core/long-double/redis-text.js';
import { strtold } from '../../src/core/long-double/strtold.js';
import {
  MAX_EXPONENT,
  MIN_EXPONENT,
  roundLongDouble,
  ZERO,
  type LongDouble,
} from '../../src/core/long-double/value.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function ld(s: string): LongDouble {
  const value = string2ld(bytes(s));
  if (value === null) throw new Error(`not a long double: ${s}`);
  return value;
}

/** INCRBYFLOAT as Redis runs it: the stored text (or a missing key) plus the increment, formatted. */
function incrByFloat(stored: string | null, increment: string): string {
  const current = stored === null ? ZERO : string2ld(bytes(stored));
  const delta = string2ld(bytes(increment));
  if (current === null || delta === null) return 'ERR value is not a valid float';
  const sum = addLongDouble(current, delta);
  if (sum.kind !== 'finite') return 'ERR increment would produce NaN or Infinity';
  return ld2stringHuman(sum);
}

const LDBL_MAX = '0x1.fffffffffffffffep16383';
const LDBL_MAX_TEXT =
  '1189731495357231765021263853030970205169063322294624200440323733891737005522970722616410290336528882853545697807495577314427443153670288434198125573853743678673593200706973263201915918282961524365529510646791086614311790632169778838896134786560600399148753433211454911160088679845154866512852340149773037600009125479393966223151383622417838542743917838138717805889487540575168226347659235576974805113725649020884855222494791399377585026011773549180099796226026859508558883608159846900235645132346594476384939859276456284579661772930407806609229102715046085388087959327781622986827547830768080040150694942303411728957777100335714010559775242124057347007386251660110828379119623008469277200965153500208474470792443848545912886723000619085126472111951361467527633519562927597957250278002980795904193139603021470997035276467445530922022679656280991498232083329641241038509239184734786121921697210543484287048353408113042573002216421348917347174234800714880751002064390517234247656004721768096486107994943415703476320643558624207443504424380566136017608837478165389027809576975977286860071487028287955567141404632615832623602762896316173978484254486860609948270867968048078702511858930838546584223040908805996294594586201903766048446790926002225410530775901065760671347200125846406957030257138960983757998926954553052368560758683179223113639519468850880771872104705203957587480013143131444254943919940175753169339392366881856189129931729104252921236835159922322050998001677102784035360140829296398115122877768135706045789343535451696539561254048846447169786893211671087229088082778350518228857646062218739702851655083720992349483334435228984751232753726636066213902281264706234075352071724058665079518217303463782631353393706774901950197841690441824738063162828586857741432581165364040218402724913393320949219498422442730427019873044536620350262386957804682003601447291997123095530057206141866974852846856186514832715974481203121946751686379343096189615107330065552421485195201762858595091051839472502863871632494167613804996319791441870254302706758495192008837915169401581740046711477877201459644461175204059453504764721807975761111720846273639279600339670470037613374509553184150073796412605047923251661354841291884211340823015473304754067072818763503617332908005951896325207071673904547777129682265206225651439919376804400292380903112437912614776255964694221981375146967079446870358004392507659451618379811859392049544036114915310782251072691486979809240946772142727012404377187409216756613634938900451232351668146089322400697993176017805338191849981933008410985993938760292601390911414526003720284872132411955424282101831204216104467404621635336900583664606591156298764745525068145003932941404131495400677602951005962253022823003631473824681059648442441324864573137437595096416168048024129351876204668135636877532814675538798871771836512893947195335061885003267607354388673368002074387849657014576090349857571243045102038730494854256702479339322809110526041538528994849203991091946129912491633289917998094380337879522093131466946149705939664152375949285890960489916121944989986384837022486672249148924678410206183364627416969576307632480235587975245253737035433882960862753427740016333434055083537048507374544819754722228975281083020898682633020285259923084168054539687911418297629988964576482765287504562854924265165217750799516259669229114977788962356670956627138482018191348321687995863652637620978285070099337294396784639879024914514222742527006363942327998483976739987154418554201562244154926653014515504685489258620276085761837129763358761215382565129633538141663949516556000264159186554850057052611431952919918807954522394649627635630178580896692226406235382898535867595990647008385687123810329591926494846250768992258419305480763620215089022149220528069842018350840586938493815498909445461977893029113576516775406232278298314033473276603952231603422824717528181818844304880921321933550869873395861276073670866652375555675803171490108477320096424318780070008797346032906278943553743564448851907191616455141155761939399690767415156402826543664026760095087523945507341556135867933066031744720924446513532366647649735400851967040771103640538150073486891798364049570606189535005089840913826869535090066783324472578712196604415284924840041850932811908963634175739897166596000759487800619164094854338758520657116541072260996288150123144377944008749301944744330784388995701842710004808305012177123560622895076269042856800047718893158089358515593863176652948089031267747029662545110861548958395087796755464137944895960527975209874813839762578592105756284401759349324162148339565350189196811389091843795734703269406342890087805846940352453479398080674273236297887100867175802531561302356064878709259865288416350972529537091114317204887747405539054009425375424119317944175137064689643861517718849867010341532542385911089624710885385808688837777258648564145934262121086647588489260031762345960769508849149662444156604419552086811989770240';

describe('strtold (glibc grammar)', () => {
  const read = (s: string) => {
    const r = strtold(bytes(s));
    return { end: r.end, text: formatFixed(r.value, 2), rangeError: r.rangeError };
  };

  it('reads the longest number at the start and says where it ends', () => {
    expect(read('  -1.5x')).toEqual({ end: 6, text: '-1.50', rangeError: false });
    expect(read('1e')).toEqual({ end: 1, text: '1.00', rangeError: false });
    expect(read('1e+')).toEqual({ end: 1, text: '1.00', rangeError: false });
    expect(read('2.e1z')).toEqual({ end: 4, text: '20.00', rangeError: false });
    expect(read('.25')).toEqual({ end: 3, text: '0.25', rangeError: false });
    expect(read('0x')).toEqual({ end: 1, text: '0.00', rangeError: false });
    expect(read('-0x.g')).toEqual({ end: 2, text: '-0.00', rangeError: false });
    expect(read('0x1.8p1q')).toEqual({ end: 7, text: '3.00', rangeError: false });
    expect(read('0X.8P')).toEqual({ end: 4, text: '0.50', rangeError: false });
    expect(read('1\u00002')).toEqual({ end: 1, text: '1.00', rangeError: false });
  });

  it('finds no number in ".", "+", "e5", "- 1" and "" (end at the start, +0)', () => {
    for (const s of ['.', '+', 'e5', '- 1', '', '+-1', ' ']) expect(read(s), s).toMatchObject({ end: 0 });
  });

  it('reads inf, infinity and nan in any case; nan(chars) only when closed', () => {
    expect(read('INFinity!')).toMatchObject({ end: 8, text: 'inf' });
    expect(read('-infin')).toMatchObject({ end: 4, text: '-inf' });
    expect(read('nan(ab_1)x')).toMatchObject({ end: 9, text: 'nan' });
    expect(read('NaN(a')).toMatchObject({ end: 3, text: 'nan' });
    expect(read('nan()')).toMatchObject({ end: 5, text: 'nan' });
  });

  it('flags ERANGE only for overflow to infinity and underflow to zero', () => {
    expect(read('1e4933').rangeError).toBe(true);
    expect(read('-1e99999999999999999999').text).toBe('-inf');
    expect(read('1e-5000')).toMatchObject({ rangeError: true, text: '0.00' });
    expect(read('0e99999999999999999999')).toMatchObject({ rangeError: false, text: '0.00' });
    expect(read('inf').rangeError).toBe(false);
    expect(read('3.6e-4951').rangeError).toBe(false); // the least subnormal, 2^-16445
  });
});

describe('rounding to 64 significand bits', () => {
  /** The magnitude of an integral value, exactly. */
  const exactly = (s: string) => {
    const v = ld(s);
    if (v.kind !== 'finite') return null;
    return v.exponent >= 0 ? v.significand << BigInt(v.exponent) : v.significand >> BigInt(-v.exponent);
  };

  it('keeps every int64 exactly', () => {
    expect(exactly('4611686018427387903')).toBe(4611686018427387903n);
    expect(exactly('-9223372036854775808')).toBe(2n ** 63n);
  });

  it('rounds a decimal to nearest, ties to even, whatever its length or notation', () => {
    expect(exactly('18446744073709551617')).toBe(2n ** 64n); // a tie: down to the even significand
    expect(exactly('18446744073709551619')).toBe(2n ** 64n + 4n); // a tie: up to the even significand
    expect(exactly('18446744073709551617.0000000000000000000001')).toBe(2n ** 64n + 2n);
    expect(exactly('184467440737095516170000000000000000000001e-22')).toBe(2n ** 64n + 2n);
    expect(exactly('1844674407370955161700000000000000000000000e-23')).toBe(2n ** 64n);
    expect(exactly('0x1.0000000000000001p64')).toBe(2n ** 64n); // hexadecimal ties too
    expect(exactly('0x1.0000000000000003p64')).toBe(2n ** 64n + 4n);
  });

  it('overflows to infinity past LDBL_MAX + half an ulp, underflows gradually, then to zero', () => {
    expect(ld(LDBL_MAX)).toEqual({
      kind: 'finite',
      negative: false,
      significand: 2n ** 64n - 1n,
      exponent: MAX_EXPONENT,
    });
    expect(strtold(bytes('0x1.fffffffffffffffe8p16383')).value).toEqual(ld(LDBL_MAX)); // below half an ulp
    expect(strtold(bytes('0x1.ffffffffffffffffp16383')).value.kind).toBe('infinity'); // the tie rounds up
    expect(ld('0x1p-16445')).toEqual({
      kind: 'finite',
      negative: false,
      significand: 1n,
      exponent: MIN_EXPONENT,
    });
    expect(ld('0x1.0000001p-16446')).toEqual(ld('0x1p-16445'));
    expect(strtold(bytes('0x1p-16446')).value).toEqual(ZERO); // a tie with zero: even
    expect(roundLongDouble(true, 3n, MIN_EXPONENT - 1)).toEqual({
      kind: 'finite',
      negative: true,
      significand: 2n,
      exponent: MIN_EXPONENT,
    });
    expect(roundLongDouble(false, 2n ** 63n - 1n, MIN_EXPONENT, false).kind).toBe('finite');
    expect(roundLongDouble(false, 2n ** 64n - 1n, MIN_EXPONENT - 1)).toEqual({
      kind: 'finite',
      negative: false,
      significand: 2n ** 63n,
      exponent: MIN_EXPONENT, // rounded up into the least normal, 2^-16382
    });
  });
});

describe('addLongDouble (x87 fadd)', () => {
  it('rounds the exact sum once', () => {
    expect(ld2stringHuman(addLongDouble(ld('-1'), ld('1.1')))).toBe('0.1');
    expect(ld2stringHuman(addLongDouble(ld('1.3'), ld('5.0e3')))).toBe('5001.29999999999999982');
    expect(ld2stringHuman(addLongDouble(ld('1e-4950'), ld('-1e-4950')))).toBe('0');
  });

  it('follows IEEE 754 for zeros, infinities and NaN', () => {
    expect(addLongDouble(ld('1.5'), ld('-1.5'))).toEqual(ZERO);
    expect(addLongDouble(ld('-0'), ld('-0'))).toMatchObject({ negative: true, significand: 0n });
    expect(addLongDouble(ld('-0'), ld('0'))).toEqual(ZERO);
    expect(addLongDouble(ld('inf'), ld('-inf'))).toEqual({ kind: 'nan' });
    expect(addLongDouble(ld('-inf'), ld('1'))).toEqual({ kind: 'infinity', negative: true });
    expect(addLongDouble(ld(LDBL_MAX), ld('0x1p16320')).kind).toBe('infinity');
    expect(addLongDouble(ld(LDBL_MAX), ld('0x0.7fffp16320'))).toEqual(ld(LDBL_MAX));
  });
});

describe('formatFixed ("%.17Lf")', () => {
  it('prints the exact value rounded to the places asked, ties to even', () => {
    expect(formatFixed(ld('0x1p-18'), 17)).toBe('0.00000381469726562'); // ...625 exactly
    expect(formatFixed(ld('0x3p-18'), 17)).toBe('0.00001144409179688'); // ...6875 exactly
    expect(formatFixed(ld('2.5'), 0)).toBe('2');
    expect(formatFixed(ld('0.1'), 25)).toBe('0.1000000000000000000013553');
    expect(formatFixed(ld('-0'), 17)).toBe('-0.00000000000000000');
    expect(formatFixed(ld('-1e-18'), 17)).toBe('-0.00000000000000000');
    expect(formatFixed(ld('1e21'), 3)).toBe('1000000000000000000000.000');
  });
});

describe('string2ld and ld2string as Redis 7.0 does', () => {
  const cases: [string | null, string, string][] = [
    [null, '1.5', '1.5'],
    ['10.50', '0.1', '10.6'],
    ['5.0e3', '2.0e2', '5200'],
    ['4611686018427387903', '0', '4611686018427387903'],
    ['1.3', '5.0e3', '5001.29999999999999982'],
    ['1000', '1.1', '1001.09999999999999998'],
    [null, '123456.789', '123456.78900000000000148'],
    ['123456.78900000000000148', '-123459.289', '-2.5'],
    [null, '0.99999999999999999', '0.99999999999999999'],
    [null, '0.999999999999999995', '1'],
    [null, '3.14159265358979323846264338327950288', '3.14159265358979324'],
    ['9223372036854775807', '1', '9223372036854775808'],
    ['-9223372036854775808', '-1', '-9223372036854775809'],
    [null, '123456789012345678901234567890', '123456789012345678899921813504'],
    [null, '1e21', '1000000000000000000000'],
    [null, '1.5e-7', '0.00000015'],
    [null, '6e-18', '0.00000000000000001'],
    [null, '5e-18', '0'],
    [null, '-1e-18', '0'],
    [null, '-0', '0'],
    ['0.1', '-0.1', '0'],
    [null, '0x1p-18', '0.00000381469726562'],
    [null, '-0x1p-18', '-0.00000381469726562'],
    [null, '+.5', '0.5'],
    [null, '1.', '1'],
    [null, '-.5e1', '-5'],
    [null, '0X1A', '26'],
    [null, '0x.8', '0.5'],
    [null, '00001.5000', '1.5'],
    [null, '0e999999999999999999999', '0'],
    [null, '1e-4950', '0'], // subnormal: accepted
    [null, '1.83e-4951', '0'], // rounds up to the least subnormal
    [null, '1.82e-4951', 'ERR value is not a valid float'], // underflows to zero
    [null, '1e-5000', 'ERR value is not a valid float'],
    [null, '1e4933', 'ERR value is not a valid float'],
    [null, '0x1p16384', 'ERR value is not a valid float'],
    [null, '0x1p-16446', 'ERR value is not a valid float'],
    [null, LDBL_MAX, LDBL_MAX_TEXT],
    [null, `-${LDBL_MAX}`, `-${LDBL_MAX_TEXT}`],
    [LDBL_MAX, '0x0.8p16320', 'ERR increment would produce NaN or Infinity'],
    [null, 'inf', 'ERR increment would produce NaN or Infinity'],
    [null, 'INFINITY', 'ERR increment would produce NaN or Infinity'],
    ['inf', '-inf', 'ERR increment would produce NaN or Infinity'],
    [null, 'nan', 'ERR value is not a valid float'],
    [null, 'NaN(abc)', 'ERR value is not a valid float'],
    [null, 'infin', 'ERR value is not a valid float'],
    [null, '0x', 'ERR value is not a valid float'],
    [null, '0x.p1', 'ERR value is not a valid float'],
    [null, '1e', 'ERR value is not a valid float'],
    [null, '.', 'ERR value is not a valid float'],
    [null, '\t1', 'ERR value is not a valid float'],
    [null, '\u000b1', 'ERR value is not a valid float'],
    [' 1', '1', 'ERR value is not a valid float'],
    ['1 ', '1', 'ERR value is not a valid float'],
    ['1\t', '1', 'ERR value is not a valid float'],
    ['\u0000', '1', 'ERR value is not a valid float'],
    ['1\u0000abc', '0.5', 'ERR value is not a valid float'],
    [null, '2\u0000x', 'ERR value is not a valid float'],
    [null, '', 'ERR value is not a valid float'],
  ];

  it.each(cases)('stored %j, INCRBYFLOAT %j -> %j', (stored, increment, expected) => {
    expect(incrByFloat(stored, increment)).toBe(expected);
  });

  it('accepts up to 5119 bytes (MAX_LONG_DOUBLE_CHARS - 1), stored or given', () => {
    expect(incrByFloat(`${'0'.repeat(5118)}2`, `${'0'.repeat(5118)}1`)).toBe('3');
    expect(incrByFloat(`${'0'.repeat(5119)}2`, '1')).toBe('ERR value is not a valid float');
    expect(incrByFloat(null, `${'0'.repeat(5119)}1`)).toBe('ERR value is not a valid float');
  });

  it('prints -LDBL_MAX, the longest text, in 4,952 characters before trimming', () => {
    expect(formatFixed(ld(`-${LDBL_MAX}`), 17)).toHaveLength(4952);
  });
});
