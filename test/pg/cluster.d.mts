export function binDir(): string | undefined;
export function startCluster(
  bin: string,
  dir: string,
  adminPassword: string,
): Promise<{ port: number; adminUrl: string; stop: () => void }>;
