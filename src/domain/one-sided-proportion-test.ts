/**
 * Is the new color's proportion (of errors, of slow requests) higher than the
 * old color's? A one-sided test of two independent binomial proportions:
 * H0 p_new <= p_old against H1 p_new > p_old.
 *
 * - With enough counts (every expected cell of the 2x2 table at least 5, the
 *   textbook rule) the two-proportion z-test with the pooled variance and
 *   Yates' continuity correction: cheap at any traffic and close to exact there.
 * - Otherwise Fisher's exact test (the hypergeometric upper tail): exact at
 *   any size, which matters because a canary at 10 % sees few requests and
 *   errors are rare, exactly where the normal approximation is wrong.
 */
export type ProportionTestName = 'z-test' | 'fisher-exact';

export interface ProportionTest {
  /** Probability, under "the new color is no worse", of a difference at least this large. */
  pValue: number;
  test: ProportionTestName;
}

/** Smallest expected count per cell for the z-test; below it, Fisher's exact test. */
export const MIN_EXPECTED_FOR_Z = 5;

export function oneSidedProportionTest(newHits: number, newTotal: number, oldHits: number, oldTotal: number): ProportionTest {
  if (!validCounts(newHits, newTotal) || !validCounts(oldHits, oldTotal)) {
    throw new RangeError(`counts must be whole numbers with 0 <= hits <= total (got ${newHits}/${newTotal} and ${oldHits}/${oldTotal})`);
  }
  const total = newTotal + oldTotal;
  const hits = newHits + oldHits;
  // Nothing to tell apart: no requests in one color, or every request alike.
  if (newTotal === 0 || oldTotal === 0 || hits === 0 || hits === total) return { pValue: 1, test: 'fisher-exact' };
  const expected = [newTotal * hits, newTotal * (total - hits), oldTotal * hits, oldTotal * (total - hits)].map((cell) => cell / total);
  if (Math.min(...expected) < MIN_EXPECTED_FOR_Z) return { pValue: fisherUpperTail(newHits, newTotal, hits, total), test: 'fisher-exact' };
  return { pValue: zTestUpperTail(newHits, newTotal, oldHits, oldTotal), test: 'z-test' };
}

function validCounts(hits: number, total: number): boolean {
  return Number.isInteger(hits) && Number.isInteger(total) && hits >= 0 && hits <= total;
}

function zTestUpperTail(newHits: number, newTotal: number, oldHits: number, oldTotal: number): number {
  const pooled = (newHits + oldHits) / (newTotal + oldTotal);
  const spread = Math.sqrt(pooled * (1 - pooled) * (1 / newTotal + 1 / oldTotal));
  const continuity = 0.5 * (1 / newTotal + 1 / oldTotal);
  const difference = newHits / newTotal - oldHits / oldTotal;
  // The correction shrinks the difference toward 0, never past it.
  const corrected = Math.sign(difference) * Math.max(0, Math.abs(difference) - continuity);
  return normalUpperTail(corrected / spread);
}

/** P(X >= newHits) for X hypergeometric: `draws` = newTotal of `population` = total, `successes` = hits. */
function fisherUpperTail(newHits: number, draws: number, successes: number, population: number): number {
  const highest = Math.min(successes, draws);
  const lnDenominator = lnChoose(population, draws);
  let tail = 0;
  for (let k = newHits; k <= highest; k++) {
    tail += Math.exp(lnChoose(successes, k) + lnChoose(population - successes, draws - k) - lnDenominator);
  }
  return Math.min(1, tail);
}

/** 1 - Phi(z), through erfc. */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function, fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc, Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function lnChoose(n: number, k: number): number {
  return lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln(n!) by the Lanczos approximation of ln Gamma(n + 1) (g = 7), about 15 significant digits. */
function lnFactorial(n: number): number {
  if (n < 2) return 0;
  const x = n; // Gamma(n + 1) = n!, and Lanczos is written for Gamma(x + 1)
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
