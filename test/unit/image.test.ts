import { describe, expect, it } from 'vitest';
import { moduleClosure } from '../../main/lab/image.js';

const MODULES_DEP = `kernel/drivers/net/bonding/bonding.ko.xz: kernel/net/tls/tls.ko.xz
kernel/net/tls/tls.ko.xz:
kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko.xz kernel/net/core/failover.ko.xz
kernel/drivers/net/net_failover.ko.xz: kernel/net/core/failover.ko.xz
kernel/net/core/failover.ko.xz:
kernel/fs/ext4/ext4.ko.xz: kernel/lib/crc16.ko.xz kernel/fs/mbcache.ko.xz kernel/fs/jbd2/jbd2.ko.xz
kernel/lib/crc16.ko.xz:
kernel/fs/mbcache.ko.xz:
kernel/fs/jbd2/jbd2.ko.xz:
kernel/net/8021q/8021q.ko.xz: kernel/net/802/garp.ko.xz
kernel/net/802/garp.ko.xz:
`;

describe('guest module closure', () => {
  it('follows modules.dep transitively and accepts - or _ in names', () => {
    expect(moduleClosure(MODULES_DEP, ['bonding', 'virtio-net'])).toEqual([
      'kernel/drivers/net/bonding/bonding.ko.xz',
      'kernel/drivers/net/net_failover.ko.xz',
      'kernel/drivers/net/virtio_net.ko.xz',
      'kernel/net/core/failover.ko.xz',
      'kernel/net/tls/tls.ko.xz',
    ]);
    expect(moduleClosure(MODULES_DEP, ['ext4'])).toHaveLength(4);
  });

  it('names a module the kernel package lacks', () => {
    expect(() => moduleClosure(MODULES_DEP, ['bonding', 'e1000e'])).toThrow(/no module e1000e/);
  });
});
