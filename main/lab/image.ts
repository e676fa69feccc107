/**
 * Builds the lab guest from Debian packages only: Debian's kernel with its real bonding.ko, busybox, bash, dropbear
 * and iproute2's ip, packed as an initramfs. Cached by a hash of every input; rebuilt when one changes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { shellCommand } from '../../shared/net/names.js';
import type { LogSink } from '../../shared/run/log.js';
import { SaidError } from '../../shared/run/said-error.js';
import { cacheDir, packageRoot } from '../paths.js';
import { commandHint, run, runOk } from '../util/exec.js';

/** Bump when the layout of the image changes in a way the other inputs do not show. */
const BUILDER_VERSION = 5;

/** Modules the guest needs, with their dependencies resolved from modules.dep. */
const MODULE_ROOTS = ['bonding', 'virtio_net', 'virtio_pci', 'virtio_blk', 'ext4', 'crc32c_generic', '8021q', 'bridge'];

/** Host programs copied into the guest, with the shared libraries they load. */
const GUEST_PROGRAMS: { from: string; to: string }[] = [
  { from: '/usr/sbin/dropbear', to: '/usr/sbin/dropbear' },
  { from: '/bin/ip', to: '/bin/ip' },
];

/** Busybox applets that the real programs replace, so no PATH order can pick the applet. */
const REPLACED_APPLETS = ['bin/ip', 'sbin/ip', 'usr/sbin/ip', 'usr/bin/ip', 'bin/bash'];

/** Debian packages whose versions are inputs of the image. */
const INPUT_PACKAGES = ['busybox-static', 'bash-static', 'dropbear-bin', 'iproute2', 'libc6'];

export interface GuestImage {
  dir: string;
  kernel: string;
  initrd: string;
  /** The tree the guest's persistent /etc disk is made from. */
  etcTree: string;
  kernelVersion: string;
  kernelPackage: string;
  keys: LabKeys;
}

export interface LabKeys {
  /** Client key the bench logs in with (OpenSSH format). */
  clientKey: string;
  clientPublicKey: string;
  /** The guest's stable host key, public half, as an OpenSSH "type base64" line. */
  hostPublicKey: string;
  /** Dropbear-format private host key baked into the image. */
  hostKeyDropbear: string;
}

type Log = LogSink;

const guestSourceDir = () => join(packageRoot, 'main', 'lab', 'guest');

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Keys live outside the image folders, so every rebuild keeps the same host identity. */
export async function ensureLabKeys(log: Log): Promise<LabKeys> {
  const dir = join(cacheDir(), 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const clientKey = join(dir, 'id_ed25519');
  const hostKeyOpenssh = join(dir, 'ssh_host_ed25519_key');
  const hostKeyDropbear = join(dir, 'ssh_host_ed25519_key.dropbear');
  if (!existsSync(clientKey)) {
    log({ key: 'log.lab.loginKey' });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bondbench-lab', '-f', clientKey]);
  }
  if (!existsSync(hostKeyOpenssh)) {
    log({ key: 'log.lab.hostKey' });
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bondbench-lab-host', '-f', hostKeyOpenssh]);
  }
  if (!existsSync(hostKeyDropbear)) {
    await runOk('dropbearconvert', ['openssh', 'dropbear', hostKeyOpenssh, hostKeyDropbear]);
  }
  const [type, blob] = (await readFile(`${hostKeyOpenssh}.pub`, 'utf8')).trim().split(/\s+/);
  return {
    clientKey,
    clientPublicKey: (await readFile(`${clientKey}.pub`, 'utf8')).trim(),
    hostPublicKey: `${type} ${blob}`,
    hostKeyDropbear,
  };
}

async function resolveKernelPackage(): Promise<{ name: string; version: string }> {
  const hint = commandHint('aptUpdate');
  const depends = await runOk('apt-cache', ['depends', '--no-recommends', 'linux-image-amd64'], { hint });
  const name = depends.match(/Depends:\s*(linux-image-[0-9][^\s]*-amd64)\b/)?.[1];
  if (!name) throw new SaidError('ImageError', 'error.image.noKernelPackage', { hint });
  const show = await runOk('apt-cache', ['show', '--no-all-versions', name], { hint });
  const version = show.match(/^Version:\s*(\S+)/m)?.[1];
  if (!version) throw new SaidError('ImageError', 'error.image.noVersion', { name, hint });
  return { name, version };
}

async function packageVersions(): Promise<string> {
  const result = await run('dpkg-query', ['-W', '-f', '${Package}=${Version}\n', ...INPUT_PACKAGES]);
  const missing = INPUT_PACKAGES.filter((p) => !result.stdout.includes(`${p}=`) || result.stdout.includes(`${p}=\n`));
  if (result.code !== 0 || missing.length) {
    throw new SaidError('ImageError', 'error.image.missingPackages', { packages: missing.join(' ') });
  }
  return result.stdout;
}

async function guestFilesDigest(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else hash.update(path.slice(guestSourceDir().length)).update(await sha256File(path));
    }
  };
  await walk(guestSourceDir());
  return hash.digest('hex');
}

function moduleName(path: string): string {
  return basename(path)
    .replace(/\.ko(\.(xz|zst|gz))?$/, '')
    .replaceAll('-', '_');
}

/** The modules named in roots plus everything modules.dep says they need. */
export function moduleClosure(modulesDep: string, roots: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of modulesDep.split('\n')) {
    const [module, rest] = line.split(':');
    if (module && rest !== undefined) deps.set(module.trim(), rest.trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map([...deps.keys()].map((path) => [moduleName(path), path]));
  const wanted = new Set<string>();
  const visit = (path: string) => {
    if (wanted.has(path)) return;
    wanted.add(path);
    for (const dep of deps.get(path) ?? []) visit(dep);
  };
  for (const root of roots) {
    const path = byName.get(root.replaceAll('-', '_'));
    if (!path) throw new SaidError('ImageError', 'error.image.noModule', { module: root });
    visit(path);
  }
  return [...wanted].sort();
}

async function sharedLibraries(program: string): Promise<string[]> {
  const out = await runOk('ldd', [program]);
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const match = line.match(/(?:=>\s*)?(\/\S+)\s+\(0x/);
    if (match?.[1]) libs.add(match[1]);
  }
  return [...libs];
}

async function copyInto(root: string, from: string, to = from): Promise<void> {
  const target = join(root, to);
  await mkdir(dirname(target), { recursive: true });
  // The tree holds absolute symlinks (busybox applets): never write through one onto the machine's own files.
  await rm(target, { force: true });
  await copyFile(from, target);
  await chmod(target, (await stat(from)).mode & 0o7777);
}

async function installBusybox(root: string): Promise<void> {
  await copyInto(root, '/bin/busybox', '/bin/busybox');
  const applets = (await runOk('/bin/busybox', ['--list-full'])).split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = join(root, applet);
    if (existsSync(link)) continue;
    await mkdir(dirname(link), { recursive: true });
    await symlink('/bin/busybox', link);
  }
}

async function buildRoot(root: string, kernelTree: string, kernelVersion: string, keys: LabKeys): Promise<void> {
  for (const dir of ['proc', 'sys', 'dev', 'run', 'tmp', 'etc', 'root/.ssh', 'var/log', 'lib/bondbench', 'usr/sbin']) {
    await mkdir(join(root, dir), { recursive: true });
  }
  await symlink('../run', join(root, 'var/run'));
  await installBusybox(root);
  for (const applet of REPLACED_APPLETS) await rm(join(root, applet), { force: true });
  await copyInto(root, '/bin/bash-static', '/bin/bash');
  for (const program of GUEST_PROGRAMS) {
    await copyInto(root, program.from, program.to);
    for (const lib of await sharedLibraries(program.from)) await copyInto(root, lib);
  }
  await symlink('/bin/ip', join(root, 'sbin/ip'));
  await symlink('/bin/ip', join(root, 'usr/sbin/ip'));

  const modulesDir = `lib/modules/${kernelVersion}`;
  const modulesDep = await readFile(join(kernelTree, modulesDir, 'modules.dep'), 'utf8');
  for (const module of moduleClosure(modulesDep, MODULE_ROOTS)) {
    await copyInto(root, join(kernelTree, modulesDir, module), join('/', modulesDir, module));
  }
  for (const file of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    const from = join(kernelTree, modulesDir, file);
    if (existsSync(from)) await copyInto(root, from, join('/', modulesDir, file));
  }
  await runOk('depmod', ['-b', root, kernelVersion]);

  const guest = guestSourceDir();
  await cp(join(guest, 'etc'), join(root, 'etc'), { recursive: true });
  await copyInto(root, join(guest, 'inittab'), '/etc/inittab');
  for (const script of ['rcS', 'rcK', 'netifrc']) await copyInto(root, join(guest, script), `/lib/bondbench/${script}`);
  await copyInto(root, join(guest, 'rc-update'), '/sbin/rc-update');
  await copyInto(root, join(guest, 'net.lo'), '/etc/init.d/net.lo');
  for (const file of ['rcS', 'rcK', 'netifrc']) await chmod(join(root, 'lib/bondbench', file), 0o755);
  await chmod(join(root, 'sbin/rc-update'), 0o755);
  await chmod(join(root, 'etc/init.d/net.lo'), 0o755);
  await symlink('net.lo', join(root, 'etc/init.d/net.eth0'));
  await mkdir(join(root, 'etc/runlevels/default'), { recursive: true });
  await symlink('/etc/init.d/net.eth0', join(root, 'etc/runlevels/default/net.eth0'));
  await mkdir(join(root, 'etc/conf.d'), { recursive: true });
  await copyFile(keys.hostKeyDropbear, join(root, 'lib/bondbench/ssh_host_ed25519_key'));
  await chmod(join(root, 'lib/bondbench/ssh_host_ed25519_key'), 0o600);
  await writeFile(join(root, 'root/.ssh/authorized_keys'), `${keys.clientPublicKey}\n`, { mode: 0o600 });
  await chmod(join(root, 'root/.ssh'), 0o700);
  await chmod(join(root, 'root'), 0o700);
  await symlink('bin/busybox', join(root, 'init'));
}

/** Work folders of builds whose process died (a crash or Ctrl-C half way). */
async function removeAbandonedBuilds(imagesDir: string): Promise<void> {
  for (const name of await readdir(imagesDir).catch(() => [] as string[])) {
    const pid = Number(name.match(/\.tmp-(\d+)$/)?.[1]);
    if (!pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || pid === process.pid) await rm(join(imagesDir, name), { recursive: true, force: true });
  }
}

export async function buildGuestImage(log: Log = () => undefined): Promise<GuestImage> {
  const keys = await ensureLabKeys(log);
  const kernel = process.env.BONDBENCH_KERNEL_DEB
    ? { name: basename(process.env.BONDBENCH_KERNEL_DEB), version: await sha256File(process.env.BONDBENCH_KERNEL_DEB) }
    : await resolveKernelPackage();
  const inputs = [
    `builder=${BUILDER_VERSION}`,
    `kernel=${kernel.name}=${kernel.version}`,
    await packageVersions(),
    `guest=${await guestFilesDigest()}`,
    `keys=${keys.hostPublicKey} ${keys.clientPublicKey}`,
    `modules=${MODULE_ROOTS.join(',')}`,
  ].join('\n');
  const digest = createHash('sha256').update(inputs).digest('hex').slice(0, 16);
  const imagesDir = join(cacheDir(), 'images');
  const dir = join(imagesDir, digest);
  const metaFile = join(dir, 'image.json');
  if (existsSync(metaFile)) return JSON.parse(await readFile(metaFile, 'utf8')) as GuestImage;

  log({ key: 'log.lab.building', vars: { kernel: kernel.name, version: kernel.version } });
  const started = Date.now();
  const debDir = join(cacheDir(), 'debs');
  await mkdir(debDir, { recursive: true });
  let deb = process.env.BONDBENCH_KERNEL_DEB;
  if (!deb) {
    const fileVersion = kernel.version.replace(/^\d+:/, '');
    deb = join(debDir, `${kernel.name}_${fileVersion}_amd64.deb`);
    if (!existsSync(deb)) {
      log({ key: 'log.lab.downloading', vars: { kernel: kernel.name } });
      await runOk('apt-get', ['download', '-q', `${kernel.name}=${kernel.version}`], {
        cwd: debDir,
        hint: commandHint('aptDownload'),
      });
    }
  }
  await removeAbandonedBuilds(imagesDir);
  const work = join(imagesDir, `${digest}.tmp-${process.pid}`);
  const kernelTree = join(work, 'kernel');
  const root = join(work, 'root');
  await mkdir(kernelTree, { recursive: true });
  await runOk('dpkg-deb', ['-x', deb, kernelTree]);
  const kernelVersion = (await readdir(join(kernelTree, 'lib/modules')))[0];
  if (!kernelVersion) throw new SaidError('ImageError', 'error.image.noModules', { deb });
  await runOk('depmod', ['-b', kernelTree, kernelVersion]);
  await buildRoot(root, kernelTree, kernelVersion, keys);

  const out = join(work, 'image');
  await mkdir(out);
  await copyFile(join(kernelTree, 'boot', `vmlinuz-${kernelVersion}`), join(out, 'vmlinuz'));
  // Sorted names and no timestamps in gzip keep the archive stable for the same inputs.
  await runOk('sh', [
    '-c',
    `cd ${shellCommand([root])} && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --reproducible | gzip -9n > ${shellCommand([join(out, 'initrd.img')])}`,
  ]);
  await cp(join(root, 'etc'), join(out, 'etc'), { recursive: true, verbatimSymlinks: true });
  await rm(join(work, 'kernel'), { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  await rename(out, dir);
  await rm(work, { recursive: true, force: true });
  const image: GuestImage = {
    dir,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    etcTree: join(dir, 'etc'),
    kernelVersion,
    kernelPackage: `${kernel.name} ${kernel.version}`,
    keys,
  };
  await writeFile(join(dir, 'inputs.txt'), inputs);
  await writeFile(metaFile, JSON.stringify(image, null, 2));
  log({ key: 'log.lab.imageReady', vars: { seconds: ((Date.now() - started) / 1000).toFixed(1), dir } });
  return image;
}
