/**
 * Runs `work` over `inputs` with at most `limit` calls in flight, keeping
 * the results in input order. The first failure rejects, after every call
 * already started has settled, so no write is left running unobserved.
 */
export async function mapConcurrent<T, R>(
  inputs: readonly T[],
  limit: number,
  work: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await work(inputs[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, lane),
  );
  if (failure) {
    throw failure.error;
  }
  return results;
}
