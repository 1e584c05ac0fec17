/** The access keys the calls a stub recorded were signed with, each once: which account's credentials made them. */
export async function signingKeys(stub: { calls(): { thisValue: unknown }[] }): Promise<string[]> {
  const keys = await Promise.all(
    stub.calls().map(async (call) => {
      const provider = (call.thisValue as { config: { credentials: () => Promise<{ accessKeyId: string }> } }).config.credentials;
      return (await provider()).accessKeyId;
    }),
  );
  return [...new Set(keys)];
}
