/**
 * English: every user-facing string of BondBench, in i18next's resource shape (nested objects, dotted keys,
 * `{{var}}` placeholders, `_one`/`_other` plurals). This file's shape is the catalogue's type (`Messages` in
 * ./catalogue.ts): every other language must have every key. Namespaces are described in ./catalogue.ts. Pure.
 */
import { doctorMessages } from '../doctor/messages.js';
import { driverMessages } from '../drivers/builtin.js';
import { VALUE_REASONS } from '../net/names.js';

export const en = {
  matrix: {
    mode: {
      standalone: 'standalone (no bond)',
      'balance-rr': '0 balance-rr',
      'active-backup': '1 active-backup',
      'balance-xor': '2 balance-xor',
      broadcast: '3 broadcast',
      '8023ad': '4 802.3ad',
      'balance-tlb': '5 balance-tlb',
      'balance-alb': '6 balance-alb',
    },
    column: {
      mode: 'mode',
      repetition: 'rep.',
      eth1Mac: '{{slave}} MAC',
      eth2Mac: '{{slave}} MAC',
      arpAtBoot: 'ARP at boot',
      loadBalancing: 'load balancing',
      faultTolerance: 'fault tolerance',
      failoverMs: 'failover',
      notes: 'notes',
    },
    yes: 'yes',
    no: 'no',
    notRun: 'not run',
    arpProbes_one: '{{count}} probe',
    arpProbes_other: '{{count}} probes',
    arpGratuitous_one: '{{count}} gratuitous',
    arpGratuitous_other: '{{count}} gratuitous',
    separator: ', ',
  },
  ui: {
    app: {
      title: 'BondBench',
      views: 'Views',
      language: 'Language',
      dismiss: 'dismiss',
      connectionLost:
        'The connection to BondBench was lost ({{reason}}). Start "bondbench serve" again and open the address it prints.',
      cannotConnect: 'BondBench cannot start here:',
    },
    sweep: {
      mode: 'mode',
      noneYet: 'No failover measured yet at any point: the plot appears with the first pull that recovers.',
    },
    view: {
      setup: 'Setup',
      run: 'Run',
      history: 'History',
    },
    progress: {
      idle: 'No run in progress',
      label: 'Run progress',
      running: 'Step {{step}} of {{total}}: {{label}}',
      step: '{{mode}}: {{step}}',
      eta: 'about {{eta}} left',
      etaUnknown: 'estimating time left…',
      cancel: 'Cancel run',
      cancelling: 'Cancelling — restoring the host…',
    },
    setup: {
      host: 'Host under test',
      target: 'Target',
      checkHost: 'Check host',
      checking: 'Checking…',
      credentials:
        'BondBench signs in with SSH keys: your SSH agent and ~/.ssh/config (User, Port, IdentityFile) for a real host; the virtual lab uses its own key.',
      hostKeyTitle: 'Unknown host key',
      hostKeyText: 'This is the first connection to {{target}}. It presented this {{type}} host key:',
      hostKeyHint:
        'Accept it only if it matches the host’s own key (on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). BondBench will refuse a different key later.',
      acceptKey: 'Accept this key',
      hostReached: 'Reached: {{distribution}}, kernel {{kernel}}, bonding {{bonding}}',
      interface: 'Interface',
      addresses: 'Addresses',
      tester: 'Tester interface (capture and probes)',
      testerAuto: 'the interface on the bond’s subnet',
      testerMissing: 'The plan names {{name}}, which this machine does not have.',
      noAddress: 'no address',
      withoutAddress_one: '{{count}} more without an address',
      withoutAddress_other: '{{count}} more without an address',
      refresh: 'Refresh',
      loading: 'Loading…',
      drivers: 'Power and link drivers',
      power: 'Power (reboots)',
      link: 'Link (cable pulls)',
      driversHint:
        'A driver’s own settings (address, outlet, port, community) are in the plan under drivers:; "Check everything" tries them.',
      start: 'Start run',
      starting: 'Starting…',
      runInProgress: 'A run is in progress',
    },
    driver: {
      lab: 'virtual lab',
      pdudaemon: 'pdudaemon (HTTP)',
      snmp: 'SNMP (PDU or managed switch)',
      command: 'a command of yours',
      'host-ifdown': 'ip link down on the host',
    },
    plan: {
      title: 'Plan',
      editor: 'Plan (YAML)',
      checking: 'Checking…',
      valid: '✓ The plan is valid.',
      invalid_one: '✗ {{count}} problem to fix:',
      invalid_other: '✗ {{count}} problems to fix:',
      checkFailed: 'The plan could not be checked: {{message}}',
      noLine: 'plan',
      loadDefault: 'Replace with the default plan',
    },
    planForm: {
      title: 'Plan form',
      atLine: 'line {{line}}: {{message}}',
      notParsed: 'The form follows the YAML: fix the syntax error the editor shows first.',
      default: 'not set',
      driverDefault: 'driver default',
      modes: 'Modes (rows of the matrix)',
      slaves: 'Slaves',
      options: 'Bond options (every mode; the driver’s sysfs names)',
      optionsHint:
        'An option a mode does not have applies to the modes that have it; a mode’s own settings are in the YAML under bond.perMode.',
      probe: 'Probes',
      rate: 'echo requests/s',
      pullRate: 'echo requests/s during a pull',
      arpPolicy: 'tester’s ARP policy',
      steps: 'Steps after each mode comes up',
      stepsDefault: 'The plan leaves steps out, so these defaults run; editing one writes them all into the plan.',
      stepKind: 'Step {{n}}',
      stepSlave: 'Slave of step {{n}}',
      stepTime: '{{what}} of step {{n}}',
      seconds: 'seconds',
      hold: 'hold (s)',
      settle: 'settle (s)',
      off: 'off (s)',
      kind: {
        'read-macs': 'read MACs',
        probe: 'probe',
        pull: 'pull a cable',
        plug: 'plug a cable',
        reboot: 'reboot (over SSH)',
        'power-cycle': 'power-cycle (power driver)',
        load: 'load (many peers, lab)',
      },
      up: 'Move step {{n}} up',
      down: 'Move step {{n}} down',
      remove: 'Remove step {{n}}',
      addStep: 'Add a step',
      repeat: 'Repetitions',
      boots: 'Bring-up and boots',
      bootsHint:
        'netifrc writes /etc/conf.d/net and boots into it, by reboot over SSH or by power-cycle through the power driver (the write-up’s way); reboot and power-cycle steps need every mode on netifrc. The watchdog power-cycles a host that does not answer SSH within the reboot timeout, at most the given number of times.',
      applyMethod: 'how each mode is applied',
      applyBoot: 'a netifrc bring-up boots by',
      applyOff: 'power off for (s)',
      rebootSeconds: 'SSH back within (s)',
      powerCycles: 'watchdog power-cycles',
    },
    check: {
      title: 'Before a run',
      button: 'Check everything',
      running: 'Checking host, tester and drivers…',
      allGood: '✓ Everything answered as it should.',
      toFix_one: '{{count}} thing to fix before a run:',
      toFix_other: '{{count}} things to fix before a run:',
      fix: 'To fix: {{fix}}',
    },
    host: {
      title: 'Host state',
      noReading: 'No reading yet: the host is read after every step.',
      mode: 'Bond mode',
      noBond: 'no bond',
      bondMac: 'Bond MAC',
      activeSlave: 'Active slave',
      miimon: 'MII monitor',
      lacpPartner: 'LACP partner',
      aggregators: 'Aggregators',
      slave: 'Slave',
      mii: 'MII',
      mac: 'MAC',
      failures: 'Failures',
      tx: 'TX packets',
      rx: 'RX packets',
      permanentMac: 'permanent MAC {{mac}}',
      notOwnMac: 'not its own',
      readAt: 'Read at {{at}}',
    },
    capture: {
      title: 'Capture',
      frames: 'Captured frames',
      filter: 'Display filter',
      filterPlaceholder: 'Filter: arp  proto:icmp  tag:probe  addr:10.77.1.253  !port:tap-eth1  no:3-9',
      filterHelp:
        'Terms must all match. Plain text matches any column; proto: tag: addr: src: dst: port: no: mode: rep: match one field; ! negates; a|b is either.',
      follow: 'Follow',
      no: 'No.',
      time: 'Time',
      source: 'Source',
      destination: 'Destination',
      protocol: 'Protocol',
      info: 'Info',
      count: '{{shown}} of {{total}} frames shown',
      dropped: '{{count}} dropped',
      trimmed: '{{count}} oldest left the list (they are in the capture files)',
      pickFrame: 'Click a frame to see its layers.',
      detailLoading: 'Reading its layers from the bench…',
      detailGone:
        'The bench keeps the layers of a live run’s last 50 000 frames; this one is older. Its capture file has it: open the run from History.',
      detail: 'Frame detail',
      frameTitle: 'Frame {{no}} on {{port}}',
    },
    matrix: {
      title: 'Results',
      pending: 'not measured yet',
      jump_one: 'Show the {{count}} frame behind {{cell}}',
      jump_other: 'Show the {{count}} frames behind {{cell}}',
      evidenceFrames: 'frames {{frames}} in {{file}}',
      evidenceSteps: 'steps {{steps}}',
    },
    timeline: {
      title: 'Probes: round-trip time and loss',
      summary: '{{received}} replies, {{lost}} lost',
      rtt: 'RTT (ms)',
      loss: 'lost probe',
      markers: 'pull / plug / reboot',
    },
    run: {
      restored: 'the host was restored to its original configuration',
      notRestored: 'the host was NOT restored: check it by hand',
      recorded: 'Recorded run {{id}} — {{plan}}',
      backToLive: 'back to the live run',
      recordedFrames:
        'A recorded run’s frames are in its capture files (capture/*.pcapng). Export it as zip and open them in Wireshark.',
      log_one: 'Log ({{count}} line)',
      log_other: 'Log ({{count}} lines)',
    },
    history: {
      empty: 'No runs yet.',
      pick: 'Pick for comparison',
      pickRun: 'Pick {{id}} for comparison',
      date: 'Date',
      host: 'Host',
      modes: 'Modes',
      result: 'Result',
      actions: 'Actions',
      summary: '{{status}}, {{steps}}/{{total}} steps — {{plan}}',
      open: 'Open',
      export: 'Export {{format}}',
      delete: 'Delete',
      confirmDelete: 'Delete run {{id}} and its captures for good?',
      deleteYes: 'Delete',
      deleteNo: 'Keep',
      compare: 'Compare the two picked',
      comparison: 'Comparison',
      changedCells: '{{count}} of {{total}} cells differ',
      column: 'Cell',
      close: 'close',
      format: 'Report format',
      reportLanguage: 'Report language',
      saved: 'Saved: {{where}}',
      notSaved: 'Not saved.',
    },
  },
  failover: {
    separator: '; ',
    outage: '{{value}} ms',
    partial: '{{lost}} of {{sent}} replies lost over {{span}} ms',
    eachPull: 'outage per pull (ms): {{list}}',
    noAggregate: '{{reason}}: there is no aggregate to judge',
    lastSlave: 'pull of {{slave}}, the last slave up: an outage is expected (no slave left)',
    notAggregated:
      'pull of {{slave}}, the last slave in the aggregate: {{others}} was up but not in its aggregator (LACP had not taken it back since its plug), so the outage is the re-aggregation’s, not a failover (IEEE 802.1AX-2014 §6.4.15)',
    standalone: 'no bond: nothing takes over the pulled NIC’s traffic',
    noMonitoring:
      'not recovered within {{hold}} s — the bond has no link monitoring (miimon 0, arp_interval 0), so it never marks a slave down (bonding.rst “Link Monitoring”)',
    reaskFirst: 'the tester re-asked before the bond’s own update was due (≤ {{bound}} ms)',
    holdTooShort:
      'replies had not resumed when the cable went back after {{hold}} s, but the driver may take up to {{bound}} ms here: hold the cable longer to judge this pull',
    fact: {
      pullProbe: 'probe during pulls',
      pullProbeValue: '{{rate}} per second ({{interval}} ms resolution); the tester’s ARP policy: {{policy}}',
      passive: 'passive — keeps the bond’s MAC from the start and follows only what the bond announces',
      osLike:
        'os-like — also re-asks by broadcast ARP after {{after}} ms without replies, as the Linux and Windows retransmit timers (1 s) do',
    },
    warn: {
      noMonitoring:
        'bond options for {{modes}}: neither miimon nor arp_interval is above 0, so the bond never marks a pulled slave down: active-backup, balance-tlb, balance-alb and 802.3ad will not fail over (bonding.rst “Link Monitoring”). Set miimon (e.g. 100) unless that is what you mean to measure.',
    },
    toDeadPort:
      '{{count}} of the {{lost}} lost requests were forwarded by the switch to {{slave}}’s port after the pull (port mirror): the switch side of the cable kept its carrier',
    linkDown:
      '{{slave}}’s NIC reported the pull {{delay}} ms after the cable went out (its PHY’s link-fail time): the bond cannot act before that, and kept sending there ({{count}} replies lost on the dead cable)',
    partnerSide:
      '{{count}} of the {{lost}} lost requests never reached a live slave: the LACP partner kept sending them to the pulled link until {{until}} ms after the pull — its own failover, not the bond’s (each system’s Frame Distributor picks the link for the frames it sends, IEEE 802.1AX-2014 §6.2.4)',
    ended: {
      noOutage: 'no reply lost when {{slave}} was pulled',
      notRecovered: 'replies did not resume within {{hold}} s',
      bondArp:
        'replies resumed {{after}} ms after the bond’s ARP reply re-pointing {{peer}} to {{mac}} ({{at}} ms after the pull)',
      testerReask: 'replies resumed {{after}} ms after the tester’s own ARP request, {{at}} ms after the pull',
      announcement: 'replies resumed {{after}} ms after the bond’s {{kind}} ({{at}} ms after the pull)',
      macMoved:
        'replies resumed {{at}} ms after the pull once the bond moved {{mac}} onto a live slave (its {{kind}} left {{lag}} ms after the first reply)',
      stoppedUsing:
        'replies resumed {{at}} ms after the pull once the bond stopped using {{slave}} (no announcement needed)',
      unknown:
        'longest reply gap {{gap}} ms (recorded without a pull anatomy: the event that ended the outage is not known)',
    },
    kind: {
      'gratuitous-arp': 'gratuitous ARP',
      'arp-announce': 'unsolicited ARP reply',
      'arp-answer': 'ARP reply to the tester',
      'unsolicited-na': 'unsolicited neighbour advertisement',
      learning: 'learning frame',
      lacpdu: 'LACPDU with a changed state',
    },
    fit: {
      within:
        'the last probe lost left {{lastLost}} ms after the pull (replies back at {{recovery}} ms), within the {{bound}} ms the driver allows',
      beyond:
        'a probe sent {{lastLost}} ms after the pull was still lost (replies back at {{recovery}} ms), beyond the {{bound}} ms the driver allows',
      hostWithin:
        'the bond’s own last loss (a request that reached a live slave unanswered) was sent {{lastLost}} ms after the pull, within the {{bound}} ms the driver allows',
      hostNone: 'the bond answered every request that reached a live slave',
      hostBeyond:
        'a request that reached a live slave {{lastLost}} ms after the pull went unanswered, beyond the {{bound}} ms the driver allows',
    },
    rule: {
      activeBackup:
        'active-backup: the MII monitor sees the loss within miimon + downdelay ({{miimon}} + {{downdelay}} ms), then the new active slave sends num_grat_arp ({{garp}}) gratuitous ARP; + {{slack}} ms for scheduling and the probe interval (bonding.rst “Link Monitoring”, “num_grat_arp”)',
      hash: '{{mode}}: frames for the dead slave are lost until the bond stops using it — at its carrier loss (bond_slave_can_tx), at the latest at the MII monitor’s next look (miimon + downdelay = {{miimon}} + {{downdelay}} ms); + {{slack}} ms',
      broadcast:
        'broadcast: every frame leaves on every slave; only what the switch still sends to the dead port is lost until the bond and the switch drop it (≤ miimon + downdelay = {{miimon}} + {{downdelay}} ms); + {{slack}} ms',
      lacp: '802.3ad: carrier loss takes the port out of the aggregator (miimon + downdelay = {{miimon}} + {{downdelay}} ms at the latest); + {{slack}} ms',
      lacpTimeout:
        '802.3ad with the switch side keeping carrier: the partner drops the port only after three missed LACPDUs ({{timeout}} ms at lacp_rate {{rate}}, IEEE 802.1AX); + {{slack}} ms',
      tlb: '{{mode}}: when the slave holding the bond MAC is pulled, the survivor takes it within miimon + downdelay ({{miimon}} + {{downdelay}} ms) and sends learning frames; + {{slack}} ms (bonding.rst “balance-tlb”)',
      albRlb:
        'balance-alb: a peer whose receive path was on the pulled slave is re-pointed by the bond’s ARP reply at the ALB monitor’s next tick ({{tick}} ms) after detection (miimon + downdelay = {{miimon}} + {{downdelay}} ms), up to RLB_UPDATE_DELAY ({{delay}} ms) later after an ARP request passed the bond; + {{slack}} ms (bond_alb.c)',
    },
    anatomy: {
      title: 'Every pull, step by step',
      note: 'Instants in ms after the host’s NIC lost carrier (± the link driver’s own uncertainty), from libpcap’s kernel timestamps on the tester and the port mirrors. The gap is the longest silence between replies (resolution: one probe interval); the RFC 6413 time is lost probes × the probe interval.',
      pull: 'pull',
      step: 'step {{step}}',
      carrierOff: 'carrier off',
      cableOut: 'cable out {{value}} ms before',
      lastBefore: 'last reply before',
      confirmed: 'host saw it',
      reaction: 'bond’s first reaction',
      reask: 'tester re-asked',
      firstAfter: 'first reply after',
      replies: 'replies on',
      requests: 'requests on',
      gap: 'gap / RFC 6413',
      loss: 'loss',
      endedBy: 'outage ended by',
      lostPaths: 'lost probes went',
      at: '{{value}} ms',
      lost: '{{lost}} lost at {{rate}}/s',
      reactionAt: '{{kind}} on {{port}} (frame {{frame}})',
      paths:
        '{{toPulled}} to the pulled port, {{noReply}} unanswered, {{deadCable}} answered on the dead cable, {{notDelivered}} reply not delivered, {{unseen}} unseen',
      by: { mii: 'MII down', carrier: 'carrier 0' },
      ended: {
        'no-outage': 'nothing lost',
        'bond-arp': 'the bond’s ARP re-pointing the tester',
        'tester-reask': 'the tester’s own ARP request',
        'bond-announcement': 'the bond’s announcement',
        'bond-stopped-using-slave': 'the bond ceasing to use the slave',
        'not-recovered': 'not recovered',
        unknown: 'not known (recorded without an anatomy)',
      },
    },
    faultTolerance: {
      ok: 'replies resumed after every pull that left a slave up',
      none: 'every pull took the last slave up: nothing to judge',
    },
    repeat: {
      row: 'all',
      text: 'median {{median}} ms, p95 {{p95}} ms',
      allFit: 'each of the {{total}} pulls fits the driver’s model',
      contradicts: '{{wrong}} of {{total}} pulls contradict the driver’s model: {{pulls}}; the first',
      spread: 'min–max {{min}}–{{max}} ms (pulls: {{pulls}})',
      endedBy: 'ended by {{how}} in {{pulls}} of {{total}}',
      partial: 'only the replies hashed to the pulled slave were lost in {{partial}} of {{total}} pulls',
      excluded:
        'not in the distribution (the last slave up, not recovered, held too short, or no aggregate): steps {{steps}}',
      recovered: 'replies resumed in {{recovered}} of {{total}} repetitions',
      failedIn: 'not in {{repetitions}}; the first',
      plot: 'Every pull’s outage per mode',
      plotNote:
        'One dot per pull the bond had to cover and recovered from (last reply before → first reply after), coloured by its own verdict; the bar marks the median, the tick the p95 (nearest rank).',
      plotAxis: 'outage (ms)',
      dot: '{{mode}} #{{repetition}}, {{slave}}, step {{step}}: {{value}} ms ({{verdict}})',
      none: 'No pull measured an outage.',
    },
  },
  verdict: {
    expected: 'as expected',
    unexpected: 'unexpected',
    'not-measurable': 'not measurable',
  },
  oracle: {
    note: {
      bringUpFailed: 'bring-up failed: {{error}}',
      notRun: 'not run',
      lacp: 'LACP: {{reason}}',
      macMoved: 'after pulling {{pulled}}: {{survivor}} took the bond MAC {{mac}} (as documented)',
      macKept: 'after pulling {{pulled}}: {{survivor}} kept {{mac}}, the bond MAC {{bondMac}} did not move',
    },
    macMissing: 'slave not found on the host',
    macOwn: 'no bond: the NIC keeps its own MAC',
    macNotOwn: 'no bond, yet the NIC does not carry its own MAC',
    macShared: 'all slaves carry the bond MAC',
    macShouldShare: 'slaves should share the bond MAC in {{mode}}',
    macEqual: '{{mode}} keeps distinct slave MACs, yet they are equal',
    macDistinct: 'slaves keep distinct MACs',
    arpNoneBroadcast: 'no ARP at bring-up, so the doubling broadcast causes cannot be seen',
    arpNone:
      'the bonding driver sends no ARP when the bond comes up; the write-up’s probes came from its network scripts',
    arpDoubled: 'broadcast sends each ARP on both slaves (the write-up’s 2×2)',
    arpOdd: 'broadcast should send each ARP twice, but the count is odd',
    arpScripts: 'ARP from the host’s network scripts at bring-up',
    arpAcrossBoot: 'measured across a {{boot}}, SSH back after {{ms}} ms',
    arpAcrossBootUntimed: 'measured across a {{boot}}',
    bootReboot: 'reboot',
    bootPowerCycle: 'power-cycle',
    sourcePorts: 'switch ports',
    sourceCounters: 'host counters',
    spreadAlternate: 'replies alternate over both slaves ({{source}})',
    spreadAlternateMissing: 'round robin should use both slaves ({{source}})',
    spreadAll: 'every reply on both slaves: {{dupes}} duplicate replies ({{source}})',
    spreadNoAggregate: '{{issue}}: there is no aggregate to spread over',
    spreadSingle: 'one peer stays on one slave ({{source}})',
    spreadByLoad: 'spread by load; with one peer mostly one slave ({{source}})',
    load: {
      rrEven:
        'round robin: replies to {{peers}} peers ({{flows}} flows) in sequential order over the slaves, the least loaded {{min}}% (Jain {{jain}}; bonding.rst, mode balance-rr; port mirrors)',
      rrUneven:
        'round robin should spread replies evenly, but the least loaded slave carried {{min}}% (Jain {{jain}}; bonding.rst, mode balance-rr; port mirrors)',
      broadcastAll: 'every one of {{distinct}} replies left by every slave (bonding.rst, mode broadcast; port mirrors)',
      broadcastMissing:
        'broadcast sends every reply on every slave, but a slave missed some of {{distinct}} (bonding.rst, mode broadcast; port mirrors)',
      activeOne: 'only the active slave sent: {{max}}% of the replies (bonding.rst, mode active-backup; port mirrors)',
      activeSpread:
        'only the active slave should send, but it carried {{max}}% (bonding.rst, mode active-backup; port mirrors)',
      hashPerPeer:
        'xmit_hash_policy {{policy}} keeps each of {{peers}} peers on one slave (Jain {{jain}} over {{flows}} flows; bonding.rst, xmit_hash_policy; port mirrors)',
      hashPerPeerSplit:
        'xmit_hash_policy {{policy}} hashes per peer, but {{split}} peer(s) were answered over more than one slave (Jain {{jain}}; bonding.rst, xmit_hash_policy; port mirrors)',
      hashPerFlow:
        'xmit_hash_policy {{policy}} keeps each of {{flows}} flows on one slave (Jain {{jain}} over {{peers}} peers; bonding.rst, xmit_hash_policy; port mirrors)',
      hashPerFlowSplit:
        'xmit_hash_policy {{policy}} hashes per flow, but {{split}} flow(s) were answered over more than one slave (Jain {{jain}}; bonding.rst, xmit_hash_policy; port mirrors)',
      hashOne:
        'xmit_hash_policy {{policy}} hashes the bond’s own MAC: one slave for all (Jain {{jain}}; bonding.rst, xmit_hash_policy; port mirrors)',
      hashSpreadSrcMac:
        'xmit_hash_policy {{policy}} should keep everything on one slave, but replies were spread (Jain {{jain}}; bonding.rst, xmit_hash_policy; port mirrors)',
      tlbPerPeer:
        'spread by load, each peer on one slave at a time (moved at most {{moves}} time(s), ≤ {{allowed}} rebalances of 10 s; Jain {{jain}} over {{peers}} peers; bonding.rst, balance-tlb/alb; port mirrors)',
      tlbMoved:
        'a peer moved between slaves {{moves}} times, more than the {{allowed}} rebalance(s) of 10 s allow (Jain {{jain}}; bonding.rst, balance-tlb/alb; port mirrors)',
    },
    spreadNone: 'no bond to balance: the NIC holding the address carried the replies ({{text}}, {{source}})',
  },
  analysis: {
    matrix: {
      explain: 'Why {{column}} says {{cell}}',
    },
    capture: {
      file: 'Capture file',
      tester: '{{mode}} #{{rep}} · tester port {{port}}',
      mirror: '{{mode}} #{{rep}} · mirror of {{slave}} ({{port}})',
      interrupted: '{{name}} (interrupted attempt)',
      loading: 'Reading the capture file…',
      none: 'This run has no capture files.',
    },
    evidence: {
      title: 'Why {{mode}} · {{column}} says “{{text}}”',
      close: 'Close',
      pick: 'Click a cell of the results to see why it says what it says.',
      verdict: 'Verdict',
      reason: 'Reason',
      rule: 'Rule',
      source: 'Source',
      readings: 'Host readings used',
      readingOf: 'After step {{step}}: {{label}}',
      bond: 'bond {{mode}}, MAC {{mac}}, active slave {{active}}',
      slave: 'Slave',
      mac: 'MAC',
      permanentMac: 'Permanent MAC',
      mii: 'MII status',
      failures: 'Link failures',
      frames_one: 'The frame it names, in {{file}}',
      frames_other: 'The {{count}} frames it names, in {{file}}',
      noFrames: 'This cell names no frames: it was decided from the host readings.',
      showFrame: 'Show frame {{no}} in the list',
      steps: 'Steps it used',
    },
    step: {
      'bring-up': '{{mode}}: bring-up',
      'read-macs': '{{mode}}: read the MACs',
      probe: '{{mode}}: probe',
      pull: '{{mode}}: pull {{slave}}',
      plug: '{{mode}}: plug {{slave}}',
    },
    chart: {
      title: 'The pull, frame by frame: echo replies per port',
      pick: 'Pull',
      pull: 'pull {{slave}}',
      reaction: 'bond reacts ({{kind}})',
      lastReply: 'last reply',
      firstReply: 'first reply',
      outage: 'outage {{ms}} ms on the wire',
      measured: 'the cell: {{ms}} ms',
      namedFrame: 'frame {{no}}, named by the cell, at {{ms}} ms',
      axis: 'ms since the pull',
      tester: 'tester {{port}}',
      mirror: '{{slave}} ({{port}})',
      around: 'Around the pull',
      whole: 'Whole step',
      loading: 'Reading the pull from the capture files…',
      summary:
        'Pull at 0 ms; {{replies}} replies on {{lanes}} ports; the bond reacted at {{reaction}} ms; replies resumed at {{first}} ms.',
      kind: {
        'gratuitous-arp': 'gratuitous ARP',
        'arp-reply': 'ARP reply',
        'unsolicited-na': 'unsolicited NA',
        learning: 'learning frame',
      },
      reactionFrame: '{{kind}}: frame {{no}} on {{port}} at {{ms}} ms',
      noMii: 'The run did not record when the host saw MII down; the pull is the link driver’s call.',
      carrierOff: 'carrier off',
      miiDown: 'MII down (host)',
      carrierDown: 'carrier down (host)',
    },
    timeline: {
      all: 'all modes',
      zoom: 'Zoom to {{step}}',
      hint: 'click a step to zoom to it',
      reboot: 'reboot',
      band: {
        'bring-up': 'bring-up',
        'read-macs': 'read MACs',
        probe: 'probe',
        pull: 'pull {{slave}}',
        plug: 'plug {{slave}}',
        reboot: 'reboot',
        'power-cycle': 'power-cycle',
      },
    },
    cell: {
      notesSeparator: '; ',
    },
    note: {
      standalone: 'no bond: each NIC keeps its own MAC and nothing takes over when one is pulled',
      'balance-rr': 'round robin per packet over all slaves, which share the bond MAC',
      'active-backup':
        'only the active slave sends; on failover the new one sends num_grat_arp ({{num_grat_arp}}) gratuitous ARP',
      'balance-xor': 'one peer stays on one slave (xmit_hash_policy {{xmit_hash_policy}})',
      broadcast: 'every frame on every slave: the peer sees each reply twice',
      '8023ad': 'hash inside the active aggregator; needs an LACP partner on the switch',
      'balance-tlb': 'slaves keep distinct MACs; the bond MAC moves to the surviving slave on failover',
      'balance-alb': 'slaves keep distinct MACs; the bond MAC moves to the surviving slave on failover',
    },
    rule: {
      eth1Mac:
        'Every bonding mode but balance-tlb and balance-alb gives all slaves the bond’s MAC (fail_over_mac=none); tlb and alb keep each slave’s own MAC; with no bond each NIC keeps its permanent MAC.',
      eth2Mac:
        'Every bonding mode but balance-tlb and balance-alb gives all slaves the bond’s MAC (fail_over_mac=none); tlb and alb keep each slave’s own MAC; with no bond each NIC keeps its permanent MAC.',
      arpAtBoot:
        'The bonding driver itself sends no ARP when the bond comes up; ARP at bring-up comes from the host’s network scripts. broadcast sends every frame on every slave, so each such ARP is seen twice.',
      loadBalancing:
        'How replies to one peer spread over the slaves: balance-rr alternates per packet, broadcast sends on all, active-backup uses the active slave only, balance-xor and 802.3ad hash one peer to one slave, tlb/alb balance by load.',
      faultTolerance:
        'Every bonding mode survives the loss of one slave while another is up: echo replies must resume after each such pull. Pulling the last slave up stops traffic, as expected; without link monitoring (miimon 0, arp_interval 0) the bond never marks a slave down. With no bond, traffic on the pulled NIC stops.',
      failoverMs:
        'Each pull is judged by what the driver does in the mode, with the bond’s settings: the event that ended the outage (the bond’s gratuitous ARP, learning frame or ARP reply, the tester’s own ARP request, or the bond ceasing to use the dead slave) and whether recovery came within the time the driver allows (miimon + downdelay; balance-alb’s ARP update up to RLB_UPDATE_DELAY later; an LACP timeout when the switch keeps carrier), plus 50 ms and two probe intervals for scheduling.',
    },
  },
  sweep: {
    section: 'Sweep: failover against {{option}}',
    explain:
      'Each point ran every mode {{repeat}} time(s); a dot is the median failover time over its pulls, the bar reaches the 95th percentile (nearest rank). Resolution: the probe interval.',
    point: 'sweep point',
    pulls: 'pulls (measured)',
    median: 'median',
    p95: 'p95',
    max: 'max',
    lost: 'lost probes (median per pull)',
    none: 'no failover measured',
    axis: 'failover (ms)',
  },
  report: {
    title: 'BondBench report',
    subtitle: '{{plan}} — run {{id}}',
    generatedBy: 'Measured with BondBench {{version}}. This report was made from run folder {{id}} alone.',
    section: {
      facts: 'Run',
      host: 'Host under test',
      plan: 'Plan',
      matrix: 'Results',
      verdicts: 'Verdicts: reasons and evidence',
      failover: 'Failover time over repetitions',
      timelines: 'Probe timelines',
      arp: 'ARP from the host, by class',
      share: 'Transmit share per slave',
      warnings: 'Warnings',
      steps: 'Steps',
      notes: 'Notes',
    },
    fact: {
      runId: 'run',
      planName: 'plan',
      status: 'status',
      startedAt: 'started',
      finishedAt: 'finished',
      duration: 'duration',
      benchVersion: 'BondBench version',
      target: 'host',
      kernel: 'kernel',
      distribution: 'distribution',
      tester: 'tester interface',
      testerAddress: 'tester address',
      testerMac: 'tester MAC',
      filter: 'capture filter',
      timestamps: 'timestamps',
      restored: 'host configuration restored',
      error: 'error',
      steps: 'steps done',
      stepsValue: '{{done}} of {{total}}',
      bond: 'bond',
      bondValue: '{{name}} of {{slaves}}, {{address}}, probed from {{peer}}',
      modes: 'modes',
      options: 'bonding options',
      apply: 'applied by',
      probeRate: 'probe rate',
      probeRateValue: '{{rate}} per second ({{interval}} ms resolution)',
      stepList: 'steps per mode',
      repeat: 'repetitions',
      drivers: 'power / link (/ switch) drivers',
    },
    apply: {
      runtime: 'runtime (sysfs, no reboot)',
      netifrc: 'netifrc (/etc/conf.d/net and a reboot)',
      perMode: '{{mode}}: {{method}}',
    },
    status: {
      running: 'running',
      completed: 'completed',
      failed: 'failed',
      cancelled: 'cancelled',
      interrupted: 'interrupted',
      unreadable: 'unreadable',
    },
    nic: {
      name: 'NIC',
      mac: 'MAC',
      permanentMac: 'permanent MAC',
      driver: 'driver',
      speed: 'speed',
      speedValue: '{{speed}} Mb/s',
    },
    kind: {
      'bring-up': 'bring-up',
      'read-macs': 'read MACs',
      probe: 'probe',
      pull: 'pull',
      plug: 'plug',
      'power-cycle': 'power-cycle',
      reboot: 'reboot',
      load: 'load',
    },
    evidence: {
      pcapng: 'capture {{file}}',
      frames: 'frames {{frames}}',
      steps: 'steps {{steps}}',
      readings: 'host readings: {{readings}}',
      none: 'none',
    },
    verdictTable: {
      cell: 'cell',
      verdict: 'verdict',
      reason: 'reason',
      evidence: 'evidence',
    },
    failover: {
      slave: 'pulled slave',
      allPulls: 'all pulls',
      count: 'pulls',
      min: 'min',
      median: 'median',
      max: 'max',
      values: 'values (ms)',
      none: 'No pull measured a failover time.',
    },
    timeline: {
      caption: 'Step {{step}}, {{mode}}, repetition {{repetition}}: {{label}}',
      summary: '{{sent}} probes sent, {{lost}} lost, {{duplicates}} duplicates',
      gap: 'longest gap {{gap}} ms (frames {{before}}–{{after}})',
      gapNoFrames: 'longest gap {{gap}} ms',
      rtt: 'RTT median {{median}} ms (min {{min}}, max {{max}})',
      axisTime: 'time since step start (ms)',
      axisRtt: 'RTT (ms)',
      lost: 'lost probe',
      none: 'No step measured probes.',
    },
    arp: {
      step: 'step',
      probe: 'probe',
      gratuitous: 'gratuitous',
      request: 'request',
      reply: 'reply',
      frames: 'frames',
      explain:
        'Probe: a request with sender IP 0.0.0.0 (duplicate-address detection). Gratuitous: sender IP equal to target IP. Request and reply: ordinary ARP.',
      none: 'No ARP counts were recorded.',
    },
    share: {
      step: 'step',
      source: 'source',
      hostCounters: 'host counters',
      switchPorts: 'switch ports',
      none: 'No per-slave transmit counts were recorded.',
    },
    warning: {
      none: 'None.',
      status: 'The run ended {{status}}.',
      incomplete: 'Only {{done}} of {{total}} planned steps were recorded.',
      notRestored: 'The host’s original configuration was not put back at the end of the run.',
      stepFailed: 'Step {{step}} ({{mode}}, {{label}}) failed: {{error}}',
      dropped: 'Step {{step}} ({{mode}}, {{label}}): {{count}} frames dropped by the capture.',
      run: '{{text}}',
      error: 'Run error: {{text}}',
    },
    steps: {
      index: '#',
      repetition: 'rep.',
      mode: 'mode',
      label: 'step',
      status: 'status',
      duration: 'duration',
      ok: 'ok',
      failed: 'failed',
    },
    units: {
      ms: '{{value}} ms',
      s: '{{value}} s',
      minutes: '{{min}} min {{s}} s',
    },
    compare: {
      title: 'BondBench comparison',
      runs: 'Run A: {{a}}\nRun B: {{b}}',
      facts: 'Facts side by side',
      fact: 'fact',
      runA: 'run A',
      runB: 'run B',
      changed: 'changed',
      cells: 'Cell by cell',
      summary: '{{changed}} changed, {{same}} the same, {{onlyA}} only in A, {{onlyB}} only in B',
      change: {
        same: 'same',
        changed: 'changed',
        'only-a': 'only in A',
        'only-b': 'only in B',
      },
      column: 'cell',
      note: 'what changed',
      nothingChanged: 'No cell changed.',
      value: '{{from}} → {{to}}',
      verdict: 'verdict {{from}} → {{to}}',
      failoverBeyond: 'failover beyond the spread of the repetitions: A {{a}}, B {{b}}',
      failoverWithin: 'failover within the spread of the repetitions: A {{a}}, B {{b}}',
      failoverRange_one: '{{min}}–{{max}} ms ({{count}} pull)',
      failoverRange_other: '{{min}}–{{max}} ms ({{count}} pulls)',
      failoverValue_one: '{{min}} ms ({{count}} pull)',
      failoverValue_other: '{{min}} ms ({{count}} pulls)',
      notRun: 'mode not run in {{run}}',
      notMeasured: 'not measured in {{run}}',
      nic: 'NIC {{name}}',
      option: 'option {{name}}',
      driverPower: 'power driver',
      driverLink: 'link driver',
      perMode: 'applied per mode',
    },
  },
  power: {
    report: {
      title: 'Boots',
      explain:
        'Each boot of the host in the run: reboot typed over SSH, or a power-cycle through the power driver. “SSH back after” runs from the reboot command or the power-on to the first SSH login on a new boot id (bench clock, 1 ms resolution, SSH handshake included). Frames are the host’s own, from the power-on until the bond was up, on the tester port and on each switch port mirror.',
      none: 'The run did not boot the host (every bring-up was a runtime change).',
      step: 'step',
      via: 'boot',
      reboot: 'reboot over SSH',
      powerCycle: 'power-cycle, {{seconds}} s off',
      watchdog: 'watchdog power-cycle ({{seconds}} s off): SSH stopped answering mid-step',
      bootMs: 'SSH back after',
      persisted: 'bond as persisted',
      yes: 'yes',
      no: 'no: {{differences}}',
      linkFailures: 'link failures',
      recoveries: 'watchdog power-cycles',
      wire: 'host frames (ARP probe / gratuitous / other, LACPDU, learning)',
      tester: 'tester',
      mirror: 'mirror {{slave}}',
    },
  },
  lacpJudge: {
    comma: '{{a}}, {{b}}',
    and: '{{head}} and {{last}}',
    inAggregator: '{{slave}} in {{id}}',
    notMode: 'the bond is in {{mode}} mode, not 802.3ad',
    noSlaves: 'the bond has no slaves',
    allDown: 'no slave is up ({{slaves}} down)',
    hint: 'partner details are hidden (read /proc/net/bonding as root to see them)',
    hiddenZeroPartner: "no LACP partner: the active aggregator's partner MAC is {{zero}} ({{where}})",
    hiddenShared: '{{slaves}} share aggregator {{id}}; {{hint}}, so collecting and distributing are not checked',
    hiddenEachOwn: 'no LACP partner: each slave is its own aggregator ({{where}}); {{hint}}',
    hiddenUnknown: '{{where}}; {{hint}}',
    notFull_one:
      '; {{slaves}} reports no full duplex (Duplex: {{duplex}}), and the driver runs LACP only on full-duplex ports',
    notFull_other:
      '; {{slaves}} report no full duplex (Duplex: {{duplex}}), and the driver runs LACP only on full-duplex ports',
    bothPassive:
      'no LACPDU from a partner while the bond itself is passive (lacp_active off): the partner is passive too, or there is none; one side must be active for LACP to start{{silent}}',
    noPartnerEach: 'no LACP partner: each slave is its own aggregator (partner MAC {{zero}}, {{where}}){{silent}}',
    noPartnerOne: 'no LACP partner on {{slave}} (partner MAC {{zero}}){{silent}}',
    partial_one: '{{lonely}} hears no LACP partner while {{answered}}: a cable to a port without LACP',
    partial_other: '{{lonely}} hear no LACP partner while {{answered}}: a cable to a port without LACP',
    answered_one: '{{slaves}} does',
    answered_other: '{{slaves}} do',
    partnerMismatch:
      'the slaves reach different partner systems ({{systems}}): ports on different switches or port-channels cannot form one aggregate',
    individual:
      'the partner marks {{slaves}} as individual (Aggregation bit off): the switch port is not in an LACP port-channel',
    actorKeys:
      'actor keys differ ({{keys}}; {{where}}): the slaves differ in speed or duplex, so the bond cannot aggregate them',
    partnerKeys:
      "the partner's keys differ ({{keys}}; {{where}}): the switch puts the ports in different aggregation groups",
    differentAggregators: 'the slaves are in different aggregators ({{where}}) with equal keys',
    portState: '{{slave}} (actor {{actor}}; partner {{partner}})',
    notInSync:
      '{{ports}} not in sync, collecting and distributing: negotiation unfinished, or the partner holds the port out',
    partner: 'partner {{mac}} key {{key}}',
    shrunk_one:
      'the aggregate shrank to {{up}} of {{total}} slaves: {{down}} is down; {{slaves}} in aggregator {{id}} ({{partner}})',
    shrunk_other:
      'the aggregate shrank to {{up}} of {{total}} slaves: {{down}} are down; {{slaves}} in aggregator {{id}} ({{partner}})',
    negotiated: '{{slaves}} in aggregator {{id}} with {{partner}}, collecting and distributing',
  },
  filter: {
    badNumbers: 'no: wants frame numbers and ranges like 3,17,40-52, not "{{part}}"',
    backwards: 'no: the range {{part}} runs backwards',
    emptyAlternativeText: 'a term has an empty alternative',
    emptyAlternative: '{{key}}: has an empty alternative',
    badRep: 'rep: wants a repetition number (1, 2, …)',
    bang: '"!" needs a term after it, e.g. !proto:lacp',
    noValue: '{{key}}: needs a value, e.g. {{key}}:{{example}}',
    unknown: 'unknown filter "{{key}}:": use {{keys}} or plain text',
  },
  drivers: driverMessages('en'),
  // Capture accounting and the live list under overload (main/tester, shared/run/capture-loss.ts).
  captureLoss: {
    title: 'Capture losses',
    step: 'Step {{step}} ({{mode}}, {{label}}): {{missing}} of {{total}} frames are not in {{file}} ({{port}}): kernel dropped {{kernel}}, writer dropped {{writer}}; the interface’s drop counter rose by {{interface}}.',
    interfaceOnly:
      'Step {{step}} ({{mode}}, {{label}}): the drop counter of {{port}} rose by {{interface}} while {{file}} was written; every frame the capture received is in the file (on Linux this counter also counts frames the tester’s stack discarded after capture).',
    writerError: 'Writing {{file}} stopped: {{error}}',
    none: 'Every frame the capture received is in the capture files.',
    sampled: 'Traffic outran the live list: {{count}} frames not shown (sampled); every frame is in the capture files.',
    probeShort:
      'Step {{step}} ({{mode}}, {{label}}): the probe sent {{achieved}} requests/s, short of the planned {{planned}}/s: rates and failover times are measured against what was sent.',
  },
  // The plan check's findings (shared/plan/plan-file.ts): the English is what `plan check` prints.
  planFile: {
    /** The syntax reminder above a plan's YAML (plan-file.ts planToYaml), one `# ` comment per line. */
    header: [
      'A BondBench plan. Check it with: bondbench plan check <file>; run it with: bondbench run <file>',
      'host.target: lab | lab:<instance> | an ~/.ssh/config alias | user@host[:port]',
      'modes: standalone and any of balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb',
      'apply.method: runtime (sysfs, no reboot) | netifrc (/etc/conf.d/net, then a reboot); apply.perMode overrides',
      'apply.boot: reboot | power-cycle (how a netifrc bring-up boots; power-cycle goes through drivers.power)',
      'drivers.switch (optional): told each mode before its bring-up; lab (needs bondbench lab up --lacp) | command',
      'steps (after each mode is brought up): read-macs | probe: <s> | pull: <slave> | plug: <slave>',
      '  | reboot (over SSH) | power-cycle (or power-cycle: {off: <s>}, through drivers.power)',
      '  | load (or load: {peers: 4, flows: 2, seconds: 3, rate: 20}: the tester as peers, lab only)',
      'sweep (optional): one or two bond options over values, e.g. sweep: { miimon: [50, 100, 200] }',
    ].join('\n'),
  },
  planDefault: {
    /** The default plan's name (shared/plan/plan.ts defaultLabPlan says it in English). */
    name: 'The write-up: all seven modes, a pull of each slave',
  },
  planCheck: {
    and: '{{a}} and {{b}}',
    notMapping: 'a plan is a YAML mapping (version: 1, host:, bond:, modes: …)',
    schema: {
      const: 'must be {{value}}',
      interfaceName: 'must be an interface name (letters, digits, . _ -, at most 15 characters)',
      oneOf: 'is none of the accepted forms (see `bondbench plan init` for examples)',
      unknownField: 'unknown field "{{field}}"',
      missingField: 'missing field "{{field}}"',
      oneOfValues: 'must be one of {{values}}',
      wordOrNumber: 'must be a word (letters, digits, . _ : @ + / -) or a number ≥ 0',
      notInterfaceName: '{{name}} is not an interface name such as eth1',
      type: 'must be {{type}}',
      limit: 'must be {{comparison}} {{limit}}',
      minItems: 'must NOT have fewer than {{count}} items',
      maxItems: 'must NOT have more than {{count}} items',
      minLength: 'must NOT have fewer than {{count}} characters',
      maxLength: 'must NOT have more than {{count}} characters',
      uniqueItems: 'must NOT have duplicate items (items ## {{j}} and {{i}} are identical)',
    },
    typeName: {
      integer: 'integer',
      number: 'number',
      string: 'string',
      boolean: 'boolean',
      object: 'object',
      array: 'array',
      null: 'null',
    },
    perModeUnused: '{{mode}} is not in modes: these settings would never be used',
    sweepAt: 'at {{where}}: {{field}}{{message}}',
    sweepHides: 'sets {{option}}, which the sweep varies: {{mode}} would never see the swept values',
    linkPortsMissing_one: 'does not say which switch port {{slaves}} is cabled to, and the steps pull it',
    linkPortsMissing_other: 'does not say which switch port {{slaves}} are cabled to, and the steps pull them',
    load: {
      notLab: 'a load step makes its peers in the virtual lab’s namespace: host.target must be lab or lab:<instance>',
      subnet: 'the load peers live on the lab’s {{subnet}}: bond.address must be in it',
      peerClash: 'peer address {{address}} is the bond’s or the tester’s: use fewer peers',
      unmirrored: 'the spread is read from the slaves’ port mirrors, and tester.portMirrors has none for {{slaves}}',
      flows: '{{peers}} peers × {{flows}} flows is more than the {{max}} flows a load step runs',
      rate: '{{peers}} peers × {{flows}} flows × {{rate}}/s is more than the {{max}} requests/s the tester sends',
    },
    switch: {
      notLab:
        'the lab switch re-cables the virtual lab, but host.target {{target}} is not a lab: use a command switch driver for a real switch',
      hostInstance: "is {{instance}}, but the host is lab instance {{lab}}: the switch must be the host's own lab",
      linkInstance: 'is {{instance}}, but drivers.link pulls the cables of lab instance {{link}}',
      portsMissing_one:
        "does not say which switch port {{slaves}} is cabled to, and every slave's port is configured for each mode",
      portsMissing_other:
        "does not say which switch port {{slaves}} are cabled to, and every slave's port is configured for each mode",
    },
    peerSubnet: "{{peer}} is not on the bond's subnet {{address}}: probes could not reach the bond directly",
    peerIsBond: 'is the bond’s own address',
    managementSlave: '{{name}} carries the SSH session (host.management) and cannot be enslaved',
    stepSlave: '{{slave}} is not one of bond.slaves ({{slaves}})',
    bootRuntime_one:
      'a {{kind}} boots what /etc/conf.d/net holds, but {{modes}} is applied at runtime (standalone always is): set apply.method: netifrc, or leave that mode out',
    bootRuntime_other:
      'a {{kind}} boots what /etc/conf.d/net holds, but {{modes}} are applied at runtime (standalone always is): set apply.method: netifrc, or leave those modes out',
    bootNoNetifrc: 'boots a netifrc bring-up, but no mode is applied with netifrc: set apply.method: netifrc',
  },
  // The run's own warnings and errors (main/engine/session.ts, runner.ts): the English is log.txt's.
  runWarning: {
    stepsFailed: '{{count}} step(s) failed; see log.txt',
    noModeUp: 'no mode came up: {{error}}',
    bringUpFailed: 'bring-up failed',
    plugBack: 'could not plug {{slave}} back in: {{error}}; plug it in by hand',
    restore: 'could not restore the host: {{error}}; run "bondbench host restore {{target}}"',
    switchBack: 'could not put the switch back: {{error}}',
    captureStop: '{{file}}: stopping the capture failed, its counts are unknown: {{error}}',
    where: 'mode {{mode}}, repetition {{repetition}}',
    loss: "{{where}}: {{file}} ({{port}}): {{missing}} of {{total}} frames are not in the file — kernel dropped {{kernel}}, writer dropped {{writer}}; the interface's own drop counter rose by {{interface}}",
    lossStopped:
      "{{where}}: {{file}} ({{port}}): {{missing}} of {{total}} frames are not in the file — kernel dropped {{kernel}}, writer dropped {{writer}}; the interface's own drop counter rose by {{interface}}; writing stopped: {{error}}",
  },
  // The bond after a boot against its configuration on disk (shared/bonding/options.ts mismatchPart).
  persisted: {
    differs: '{{option}} is {{actual}}, expected {{expected}}',
    missing: '{{option}} is missing, expected {{expected}}',
  },
  // The driver's option rules (shared/bonding/options.ts checkBondRequest); {{modes}}: the modes an issue hits.
  bondRule: {
    noSlaves: 'must name at least one interface, e.g. eth1,eth2',
    slaveTwice: 'names a slave twice',
    bondAsSlave: 'cannot include the bond {{bond}} itself',
    arpNotIn: 'the ARP monitor does not run in {{modes}} mode, which needs miimon (bonding.rst: {{where}} only)',
    onlyIn: 'applies only to {{where}}, not {{modes}} (the driver refuses it)',
    wholeNumber: 'must be a whole number from {{min}} to {{max}}',
    oneOf: 'must be one of {{values}}',
    targetList: 'must be a list of IPv4 addresses',
    tooManyTargets: 'holds more than 16 targets (the driver’s BOND_MAX_ARP_TARGETS)',
    targetTwice: 'names {{target}} twice (first at [{{first}}])',
    noTargets: 'must name at least one address when arp_interval is set',
    needsArpInterval: 'needs arp_interval greater than 0',
    arpAndMiimon: 'and miimon exclude each other (the driver turns one off when the other is set): set miimon: 0',
    delayNeedsMiimon: 'works only with miimon: the driver refuses it while MII monitoring is disabled',
    notifyDiffers:
      'differs from num_grat_arp {{num_grat_arp}}: since Linux 3.0 both set one count of peer notifications (bonding.rst)',
    primaryNotSlave: 'must be one of the slaves ({{slaves}})',
  },
  // A value refused (shared/net/names.ts InvalidValueError): the reasons are that module's own words.
  value: { said: '{{value}} {{reason}}', ...VALUE_REASONS },
  // A YAML syntax error (shared/plan/plan-file.ts): in English the parser's own sentence; `kind` is what its code means.
  yamlSyntax: {
    said: '{{detail}}',
    kind: {
      ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
      BAD_ALIAS: 'an anchor or alias name is not valid',
      BAD_COLLECTION_TYPE: 'the tag does not fit this kind of collection',
      BAD_DIRECTIVE: 'a YAML directive (%…) is not valid',
      BAD_DQ_ESCAPE: 'a double-quoted string holds an invalid escape sequence',
      BAD_INDENT: 'the indentation is wrong: items of one level must start in the same column',
      BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
      BAD_SCALAR_START: 'an unquoted value cannot start with this character: put the value in quotes',
      BLOCK_AS_IMPLICIT_KEY:
        'a mapping or list cannot be a key here (e.g. "a: b: c" on one line): break the line and indent, or quote the value',
      BLOCK_IN_FLOW: 'a [ … ] or { … } collection cannot hold an indented block: separate its items with commas',
      DUPLICATE_KEY: 'a key appears twice in the same mapping: each key may appear once',
      IMPOSSIBLE: 'the parser met a structure it cannot read',
      KEY_OVER_1024_CHARS: 'a key without quotes is longer than 1024 characters',
      MISSING_CHAR: 'a required character is missing (a quote, a comma, a colon or a space)',
      MULTILINE_IMPLICIT_KEY: 'a key must fit on one line: is a colon missing, or a quote left open?',
      MULTIPLE_ANCHORS: 'a node can have at most one anchor',
      MULTIPLE_DOCS: 'a plan is one YAML document: remove the extra "---"',
      MULTIPLE_TAGS: 'a node can have at most one tag',
      NON_STRING_KEY: 'a key must be a string',
      RESOURCE_EXHAUSTION: 'the document is too large or expands too many aliases',
      TAB_AS_INDENT: 'tabs cannot indent YAML: use spaces',
      TAG_RESOLVE_FAILED: 'a YAML tag (!…) is not known',
      UNEXPECTED_TOKEN: 'a character or symbol is not expected here',
      missingQuote: 'a quoted value is not closed: add the closing quote',
      missingValue: 'a key is not followed by ": value"',
      missingComma: 'items of a [ … ] or { … } collection must be separated by commas',
      unclosedFlow: 'a [ … ] or { … } collection is not closed, or a line inside it is not indented enough',
      other: 'the text is not valid YAML',
    },
  },
  // A driver's settings refused (shared/drivers: each driver's checks, its schema's patterns, templates, secrets).
  driverCheck: {
    commandsUsePort: 'the commands use {port}: map each slave to its switch port',
    commandUsesPort: 'the command uses {port}: map each slave to its switch port',
    commandsUseOutlet: 'the commands use {outlet}: say which outlet',
    commandNoMode: 'the command is never told the mode: use {mode} or {channel} (lacp, static or none)',
    oidStateValues: 'with oid.state, give the values it reads: stateOn and stateOff',
    oidNotProfile: 'is only for profile "oid"; profile "{{profile}}" knows its OIDs',
    snmpCommunityV3: 'is for version 2c; version 3 authenticates with user',
    snmpUserV2c: 'is for version 3; version 2c uses community',
    snmpPrivNeedsAuth: 'SNMPv3 privacy needs authentication too: add user.auth',
    urlCredentials:
      "{{url}} has credentials inside the URL (user:password@), which would end up in logs and reports: give the URL without them and keep the credentials where the device's software reads them — pdudaemon.conf on the pdudaemon server, or a script's own config file or environment for a command driver",
    template: {
      openBrace:
        '{{word}} has a "{" that opens no placeholder: write {{placeholder}}, or {{literal}} for a literal brace',
      unknownPlaceholder: 'unknown placeholder {{placeholder}} in {{word}}: use {{known}}',
      strayBrace: '{{word}} has a stray "}": write {{literal}} for a literal brace',
      notArgv: 'must be a list of words, program first, e.g. ["/usr/local/bin/pdu", "{outlet}"]',
      placeholderProgram: 'the program must be written out: a placeholder cannot choose which program runs',
      noValue: '{{placeholder}} has no value here',
      notOid: '{{template}} is not an OID such as 1.3.6.1.4.1.318.1.1.4.4.2.1.3.{outlet}',
    },
    schema: {
      brace: 'has a brace that is not a known placeholder (write {{open}} or {{close}} for a literal brace)',
      onePortRef: 'give exactly one of ifDescr, ifName, ifAlias or ifIndex',
      ajv: '{{message}}',
    },
    pattern: {
      host: 'must be a host name or an IP address',
      instance: 'must be a lab instance name: 1–16 characters of a-z, 0-9 and "-"',
      hostname: 'must be the PDU’s name in pdudaemon.conf: letters, digits, ".", "_" and "-"',
      url: 'must be pdudaemon’s base URL, e.g. http://pdu-server:16421 (no query)',
      control: 'must be an OID of digits and dots, with {outlet} where the outlet number goes',
      state: 'must be an OID of digits and dots, with {outlet} where the outlet number goes',
    },
  },
  // An error from outside the bench (shared/run/failure.ts): in English the error's own text; `cause` by errno
  // code, SSH failure or error class; `hostCheck` what failed.
  failure: {
    parts: '{{a}}; {{b}}',
    hostCheck: '{{cause}}',
    run: '{{cause}}',
    labDown: 'lab "{{instance}}" is not running: start it with "bondbench lab up"',
    cause: {
      ECONNREFUSED: '{{message}}',
      ECONNRESET: '{{message}}',
      ECONNABORTED: '{{message}}',
      ETIMEDOUT: '{{message}}',
      EHOSTUNREACH: '{{message}}',
      ENETUNREACH: '{{message}}',
      EHOSTDOWN: '{{message}}',
      ENETDOWN: '{{message}}',
      ENOTFOUND: '{{message}}',
      EAI_AGAIN: '{{message}}',
      EADDRINUSE: '{{message}}',
      EADDRNOTAVAIL: '{{message}}',
      EPIPE: '{{message}}',
      EACCES: '{{message}}',
      EPERM: '{{message}}',
      ENOENT: '{{message}}',
      ENOSPC: '{{message}}',
      EROFS: '{{message}}',
      EEXIST: '{{message}}',
      EISDIR: '{{message}}',
      ENOTDIR: '{{message}}',
      EMFILE: '{{message}}',
      EBADF: '{{message}}',
      ENODEV: '{{message}}',
      ENXIO: '{{message}}',
      sshAuth: '{{message}}',
      sshHandshakeTimeout: '{{message}}',
      hostKeyMismatch: '{{message}}',
      hostKeyUnknown: '{{message}}',
      hostKeyRevoked: '{{message}}',
      privilege: '{{message}}',
      remoteCommand: '{{message}}',
      hostDidNotReturn: '{{message}}',
      aborted: '{{message}}',
      testerSpec: '{{message}}',
      captureFile: '{{message}}',
      parse: '{{message}}',
      confEdit: '{{message}}',
      commandSpawn: '{{message}}',
      capNotPatched: '{{message}}',
      other: '{{message}}',
    },
  },
  // The lines of "Check everything" (main/engine/bench.ts checkEverything): what, detail, fix.
  checkItem: {
    plan: 'plan',
    planOk: '{{modes}} modes, {{steps}} steps each, ×{{repeat}}',
    planProblems: '{{count}} problem(s)',
    planErrorAt: 'line {{line}}: {{path}}: {{message}}',
    planErrorLine: 'line {{line}}: {{message}}',
    planErrorOnly: '{{message}}',
    planInvalid: 'the plan is not valid: {{findings}}',
    notRunning: 'run {{runId}} is not running',
    stillRunning: 'run {{runId}} is still running: cancel it first',
    planError: '{{path}}: {{message}}',
    lab: 'virtual lab "{{instance}}"',
    labUp: 'up',
    labDown: 'down',
    labFix: 'start it: bondbench lab up --instance {{instance}}',
    host: 'host {{target}}',
    hostOk: '{{distribution}}, kernel {{kernel}}, bonding {{bonding}}',
    hostKeyFix: 'accept its key {{fingerprint}} if it is the host you mean',
    hostFix: 'check the target, the network and the credentials',
    slaves: 'slaves',
    slavesMissing: 'the host has no {{slaves}}',
    slavesFix: 'bond.slaves: use interfaces the host has ({{interfaces}})',
    testerInterface: 'tester interface',
    testerMissing: 'no {{wanted}} among {{names}}',
    testerFix: 'tester.interface: pick one of the tester’s interfaces, or auto',
    testerAgent: 'tester agent',
    agentFix: 'install libpcap and run as root (or with capture rights)',
    driver: { power: 'power driver', link: 'link driver', switch: 'switch driver' },
    driverFix: 'drivers.{{kind}}: fix the settings named above',
    list: '{{items}}',
    colon: ': ',
    // The host's bonding driver (HostCheck.bondingPart).
    bonding: {
      builtIn: 'built-in',
      builtInLoaded: 'built-in, loaded',
      module: 'module',
      moduleLoaded: 'module, loaded',
      missing: 'missing',
      missingLoaded: 'missing, loaded',
    },
  },
  // Why an SSH login cannot work or was refused (main/ssh/connect.ts SshAuthError).
  sshLogin: {
    noMethod:
      'no way to log in to {{login}}: no ssh-agent (SSH_AUTH_SOCK; on Windows the OpenSSH agent or Pageant), no usable key ({{keys}}), and no password chosen. Add an IdentityFile to ~/.ssh/config, pass --identity FILE, or choose --password-stdin.',
    refused:
      '{{label}} refused every login method offered (agent, keys, password): check the user name, authorized_keys on the host, or choose password login with --password-stdin',
    keyUnreadable: 'cannot read the key file {{file}}: {{error}}',
    keyUnusable: '{{file}} is not a usable private key: {{error}}',
    passphrase: 'the passphrase for {{file}} is wrong ({{error}})',
  },
  // The CLI's own lines (main/cli), where it speaks the chosen language (--lang, BONDBENCH_LANG).
  cli: {
    planValid: 'valid — {{modes}} modes × {{steps}} steps × {{repeat}}',
    planValidSweep: 'valid — {{modes}} modes × {{steps}} steps × {{repeat}} × {{points}} sweep points ({{labels}})',
    warning: 'warning: {{warning}}',
    usageSaid: '{{message}}',
    badLanguage: '{{source}} {{value}}: use one of {{languages}}',
    unknownCommand: 'unknown command {{command}}',
    unknownAction: 'unknown {{group}} action {{action}}',
    unexpected: 'unexpected {{words}}',
    planNeedsAction: 'plan needs an action',
    planCheckFile: 'plan check needs a file',
    cannotReadPlan: 'cannot read the plan {{file}}',
    badRepeat: '--repeat must be a whole number ≥ 1',
    badModes: '--modes: unknown {{unknown}}; use {{modes}}',
    finding: '{{path}}: {{message}}',
    lines: '{{a}}\n  {{b}}',
    planInvalid: 'the plan is not valid:\n  {{findings}}',
    labNoPartner:
      'lab "{{instance}}" is up without its LACP partner, so 802.3ad could not be cabled to one: run "{{down}}", then "{{up}}" (or run --lab, which brings it up so)',
    planExists: '{{file}} exists: choose another name or remove it',
    planWritten: 'wrote {{file}}; check it with "bondbench plan check {{file}}"',
    // The matrix `bondbench run` prints (its cells and columns come from matrix.* and report.*).
    matrix: { mode: 'mode', all: 'all', colon: ': ' },
    sweepHeader: 'failover (ms) against {{axes}}: median / p95 over the pulls (measured/pulls)',
    progressEta: ', about {{minutes}} min left',
    stepFailed: '{{step}} failed: {{error}}',
    stopping: 'stopping after the current action and restoring the host (Ctrl-C again to leave at once)',
    runEnded: 'run {{status}}: {{count}} steps, host restored',
    runEndedNotRestored: 'run {{status}}: {{count}} steps, host NOT restored',
    runError: 'error: {{error}}',
    results: 'results: {{dir}}',
    reportWritten:
      'report:  {{file}}  (more: npx bondbench report {{dir}} --format pdf|csv|json|md|zip [--lang zh-CN])',
    reportNotWritten:
      'report:  not written into the run folder; make it elsewhere with: npx bondbench report {{dir}} --out DIR',
    junitWritten: 'junit:   {{file}}',
    labUp: 'bringing the virtual lab "{{instance}}" up',
    labUpPartner: 'bringing the virtual lab "{{instance}}" up with its LACP partner',
    labDown: 'taking the virtual lab "{{instance}}" down (--keep-lab keeps it)',
    noRuns: 'no runs yet: start one with "bondbench run --lab"',
    runSteps: '{{done}}/{{total}} steps',
    whichRun: 'which run? give a run folder or id',
    oneRun: 'give one run',
    twoRuns: 'give two runs (folders or ids) to compare',
    badFormat: '--format {{format}}: use one of {{formats}}',
    wrote: 'wrote {{path}}',
    // Each command's usage ("bondbench <command> --help"); values (folders, formats, modes) are vars.
    lab: {
      down: 'lab "{{instance}}" is down',
      notUp: 'lab "{{instance}}" was not up; nothing to remove',
      up: 'lab "{{instance}}" is up: QEMU pid {{pid}} ({{accel}}), {{kernel}}',
      bootToSsh: '  boot to SSH: {{seconds}} s',
      namespace: '  namespace:  {{value}}',
      ssh: '  ssh:        {{value}}',
      hostKey: '  host key:   {{value}}',
      tester: '  tester:     {{port}} {{address}} ({{mac}}), bond {{bond}}',
      partner: '  partner:    LACP switch {{mac}} (lacp_rate {{rate}}), {{qemu}}{{boot}}; console {{log}}',
      qemuPid: 'QEMU pid {{pid}}',
      notRunning: 'NOT RUNNING',
      bondUpAfter: ', bond up {{seconds}} s after start',
      link: '  {{slave}}:       {{state}} ({{cable}})',
      pulled: 'PULLED',
      plugged: 'plugged',
      cablePartner: 'cable {{tap}} ↔ {{partnerTap}}{{loose}}, carrier {{switch}}/{{partner}}',
      notConnected: ' (NOT CONNECTED)',
      cableBridge: 'switch port {{tap}} carrier {{carrier}}{{recabled}}',
      recabled: ' (re-cabled to the bridge; partner port {{partnerTap}} dark)',
      on: 'on',
      off: 'off',
      pulledMii: "{{slave}} pulled; the guest's bond0 reports {{slave}} MII status: {{mii}}",
      pluggedMii: "{{slave}} plugged; the guest's bond0 reports {{slave}} MII status: {{mii}}",
      notSlave: 'not a slave',
      resetSent: 'reset sent',
      resetBack: 'reset: SSH answered again after {{seconds}} s',
      power: 'power {{what}}: guest is {{state}}',
      powerSsh: 'power {{what}}: guest is {{state}}, SSH after {{seconds}} s',
      standaloneMode: '--standalone and --mode exclude each other',
      badMiimon: '--miimon takes a whole number of ms',
      badStyle: '--style is writeup or modern',
      oneSlave: 'lab {{action}} takes one slave: {{slaves}}',
      badLinkDown: '--link-down-ms takes a whole number of ms from 0 to {{max}}',
      powerTakes: 'lab power takes on, off or cycle',
      connectTakes: 'lab connect takes HOST PORT',
    },
    host: {
      wholeNumber: '{{option}} takes a whole number',
      askKey:
        "The authenticity of {{host}} can't be established.\n{{type}} key fingerprint is {{fingerprint}}.\nAre you sure you want to pin this key and continue (yes/no)? ",
      askPassphrase: "Enter passphrase for key '{{file}}': ",
      needMode: 'configure needs --mode',
      badTlb: '--tlb-dynamic-lb is 0 or 1',
      plan: 'plan ({{how}}) for {{host}}:',
      planStyle: '{{backend}}, {{style}} style',
      note: '  note: {{note}}',
      needTarget: 'host {{action}} needs a target',
      badBackend: '--backend is runtime or netifrc',
      badStyle: '--style is writeup or modern',
      rebootNetifrc: '--reboot goes with --backend netifrc: a runtime configuration does not survive a reboot',
      acceptKeyTerminal: 'accept-key asks on a terminal; without one, pass --accept-new-host-key',
      pinned: '{{label}}: host key {{fingerprint}} is pinned',
      confirmed: '{{label}}: configuration confirmed, rollback disarmed',
      notArmed: '{{label}}: no rollback was armed',
      restoredHost: '{{label}}: restored backup {{id}} (host copy): {{files}}; bond {{bond}}',
      restoredLocal: '{{label}}: restored backup {{id}} (local copy): {{files}}; bond {{bond}}',
      noFiles: 'no files',
      rollbackArmed: 'rollback armed: confirm within {{seconds}} s of boot ("bondbench host confirm")',
      back: '{{label}}: back after {{boot}} (connection drop seen after {{drop}})',
      rebootSent: '{{label}}: reboot sent',
      noSlaves: 'the bond has no slaves yet: give --slaves eth1,eth2',
      applied: 'applied in {{time}}; backup {{id}} ({{hostDir}} and {{localDir}})',
      verifiedFiles: 'verified the files; {{skipped}}',
      verified: 'verified: {{checked}}',
      backAfter: 'back after {{time}}',
      notConfirmed: '{{error}}\nnot confirmed: {{label}} rolls back to backup {{id}} {{seconds}} s after boot',
      verifiedReboot: 'verified after reboot: {{checked}}',
      verifiedConfirmed: 'verified after reboot and confirmed: {{checked}}',
    },
    tester: {
      loopback: ' (loopback)',
      needOut: 'capture: give --out FILE.pcapng',
      badSeconds: '--seconds {{seconds}}: give a positive number',
      needDevice: 'capture: give --device or --subnet (or --lab)',
      capturing: 'capturing on {{device}} (filter {{filter}}, {{precision}} timestamps) into {{file}}',
      precision: { nano: 'nanosecond', micro: 'microsecond', unknown: 'unknown-resolution' },
      echo: 'echo {{rate}}/s to {{target}} ({{mac}}, ARP {{arpMs}} ms)',
      written:
        '{{frames}} frames ({{bytes}} bytes) written to {{file}}; dropped: kernel {{kernel}}, interface {{ifDropped}}, disk {{disk}}, display {{display}}; malformed {{malformed}}',
      echoStats:
        'echo: {{sent}} sent, {{answered}} answered, {{lost}} lost, {{duplicates}} duplicates, {{reordered}} reordered{{rtt}}',
      rtt: '; RTT ms min {{min}} median {{median}} max {{max}}',
    },
    serve: {
      notBuilt: 'the renderer is not built (looked in {{dirs}}): run "npm run build:renderer"',
      noBrowser: 'could not start {{command}}; open the address above yourself',
      badPort: '{{option}} must be a port number (1–65535), not {{value}}',
      serving: 'BondBench is serving on {{url}}',
      open: 'Open that address (the token in it is required). Ctrl-C stops.',
      stopping: 'stopping; a run in progress is cancelled and its host restored (Ctrl-C again to leave at once)',
      labDown: 'taking the virtual lab "{{instance}}" down',
    },
    usage: {
      main: `usage: bondbench <command> …

  lab up|down|status|pull|plug|reset|power|ssh|connect|image   the virtual bonding lab (run "bondbench lab help")
  host probe|configure|restore|reboot|confirm|status|accept-key <target>   the host under test over SSH
                                (user@host[:port], an ssh_config Host, or lab; run "bondbench host help")
  run [plan.yaml] [--lab] …     run a plan (default: the write-up's experiment) and print the matrix
  runs                          list earlier runs
  report <run> [--format F] [--lang L]   a run's report: html, pdf, csv, json, md or a zip bundle; en or zh-CN
  compare <runA> <runB> [--format F]     two runs cell by cell, their facts side by side (text, md, json, html)
  plan init|check               write the default plan to edit; validate a plan
  serve [--port N] [--no-open] [--host-lab]   the UI in a browser: loopback only, behind a per-start token
  tester interfaces|capture [--lab]   the tester agent by hand: capture to pcapng, echo probe (run "bondbench tester help")
  doctor [--probe IPV4] [--plan FILE]  what will and will not work on this machine, ✓ or ✗ with the fix

Environment: BONDBENCH_CACHE (guest images, keys), BONDBENCH_LAB_INSTANCE, BONDBENCH_LAB_ACCEL=auto|kvm|tcg,
BONDBENCH_LANG=en|zh-CN (the language the commands speak, their errors and reports; --lang where a command takes it)`,
      run: `usage: bondbench run [plan.yaml] [--lab] [--instance NAME] [--keep-lab] [--out DIR] [--repeat N] [--modes a,b,…] [--resume RUN] [--junit FILE]

  Runs a plan (the write-up's experiment when none is given) and prints the matrix with verdicts.
  --lab        bring the virtual lab up first (and down again afterwards unless --keep-lab)
  --out DIR    where run folders go (default {{runsDir}})
  --repeat N   repeat every mode N times; --modes picks modes ({{modes}})
  --resume RUN continue an interrupted run: modes it completed are skipped
  --junit FILE also write the result as JUnit XML (a test case per matrix cell) for Jenkins, GitLab and other CI
  exit status: 0 every cell as expected, 1 some cell unexpected or a step failed, 2 the run failed or was stopped`,
      plan: `usage: bondbench plan init [FILE] [--instance NAME]   write the default plan (the write-up's experiment) to edit
       bondbench plan check FILE [--lang en|zh-CN]     validate a plan; errors point at the line`,
      runs: 'usage: bondbench runs [--out DIR] [--json]',
      report: `usage: bondbench report <run> [--format {{formats}}] [--lang {{languages}}] [--out FILE]

  <run>      a run folder, or a run id from "bondbench runs" (in {{runsDir}})
  --format   html (default): one self-contained page; pdf: the same page printed by headless Chromium;
             csv: the matrix, then the per-step measurements; json: the report model (with its JSON Schema);
             md: Markdown for a ticket or a wiki; zip: the report, plan, host readings, log and pcapng files
  --lang     the report's language (default BONDBENCH_LANG, else en)
  --out      where to write; "-" for standard output. Without it csv, json and md go to standard output and
             html, pdf and zip to a file named after the run in the current folder`,
      compare: `usage: bondbench compare <runA> <runB> [--format {{formats}}] [--lang {{languages}}] [--out FILE]

  Compares two runs cell by cell (a MAC, a verdict, a failover time beyond the spread of the repetitions), lists
  what stayed and what only one run has, and puts both runs' facts (kernel, NICs, plan options) side by side.
  --format   text (default), md, json or html; --out FILE writes it to a file instead of standard output
  A sweep's run compares point by point: RUN@miimon=50 RUN@miimon=200 (or RUN@0, by index; RUN@miimon=50,lacp_rate=fast
  for two axes); a point compares with another run too.`,
      doctor: `usage: bondbench doctor [--probe IPV4] [--plan FILE] [--lab [--instance NAME]] [--lang {{languages}}] [--json]

  Checks libpcap/Npcap and cap's build for this runtime, capture permission (the tester agent started as a run
  starts it), every interface (pcap name, friendly name, MAC, addresses, capture and send), the SSH agent,
  known_hosts and the PDF printer; one line each, ✓ or ✗ with the fix. Exit status 1 when something fails.
  --probe IPV4   also capture and send an echo probe to this host for 5 s from the interface on its subnet
  --plan FILE    also reach the plan's host and its power and link drivers (the run's preflight)
  --lab          run the tester agent in the virtual lab's namespace (tester0)`,
      lab: `usage: bondbench lab <action> [--instance NAME]

  up [--mode MODE] [--miimon MS] [--style writeup|modern] [--standalone] [--lacp] [--accel auto|kvm|tcg] [--json]
                 build the guest image if needed, wire the namespace, boot the guest, print where to SSH and
                 the bond's state. /etc/conf.d/net starts as the write-up's (balance-rr, miimon 100).
                 --lacp: cable eth1 and eth2 to an LACP partner (a second guest whose 802.3ad bond plays the
                 switch, lacp_rate fast) instead of the bridge; the bond then starts as 802.3ad, miimon 100.
  down           stop the guest, remove the namespace, taps and files of the lab
  status [--json]
  pull <eth1|eth2> [--link-down-ms MS]
                     pull the cable: carrier off on the switch port and on the guest NIC; --link-down-ms keeps
                     the guest NIC's carrier that long after the switch end (a real PHY's link-fail time, 0–{{max}})
  plug <eth1|eth2>   plug it back
  reset [--no-wait]  warm reboot (QMP system_reset); waits for SSH and prints the time
  power on|off|cycle cold power: stop or start the guest; /etc on its disk survives
  ssh [COMMAND …]    a shell in the guest, or one command (its output and exit code are passed on)
  connect HOST PORT  join stdin/stdout to HOST:PORT inside the lab (an OpenSSH ProxyCommand)
  image              build (or find in the cache) the guest image and print where it is`,
      host: `usage: bondbench host <action> <target> [options]

  <target>   user@host[:port], ssh://user@host[:port], a Host of ~/.ssh/config, or "lab" / "lab:<instance>"
             (the virtual lab's guest)

  probe <target>          read-only: kernel, distribution, bonding driver, tools, every interface (MAC,
                          permanent MAC, carrier, speed, addresses, counters) and each bond's
                          /proc/net/bonding state, as JSON
  configure <target> --mode MODE [--slaves eth1,eth2] [--bond bond0] [--backend runtime|netifrc]
                          [--style writeup|modern] [--miimon MS] [--updelay MS] [--downdelay MS]
                          [--xmit-hash-policy P] [--fail-over-mac none|active|follow] [--lacp-rate slow|fast]
                          [--primary IF] [--arp-interval MS --arp-ip-target A[,B…]] [--num-grat-arp N]
                          [--num-unsol-na N] [--ad-select stable|bandwidth|count] [--min-links N]
                          [--lp-interval S] [--tlb-dynamic-lb 0|1] [--address CIDR] [--dry-run] [--reboot [--confirm-within S]]
                          plan, back up, apply and verify. runtime: now, through sysfs. netifrc: writes
                          /etc/conf.d/net (takes effect at boot); with --reboot, reboots with a rollback armed
                          and confirms once the bond is verified
  restore <target>        put back what BondBench changed: files byte for byte, the bond's state
  reboot <target> [--wait] [--confirm-within S]
                          reboot; with --wait, report the time until SSH answers again
  confirm <target>        confirm the running configuration (disarm a pending rollback)
  status <target> [--bond bond0]   the bond's /proc/net/bonding state, parsed, as JSON
  accept-key <target>     show the host key's SHA-256 fingerprint and pin it (known_hosts)

Options: --ssh-config FILE (default ~/.ssh/config), --known-hosts FILE (default ~/.config/bondbench/known_hosts
or the file ssh_config names), --identity FILE (repeatable), --password-stdin, --sudo (non-root login),
--accept-new-host-key, --run-dir DIR (local copy of backups), --timeout S, --json
Modes: {{modes}}`,
      tester: `usage: bondbench tester <action> [--lab [--instance NAME]]

  interfaces [--json]    interfaces libpcap can capture on, with addresses and MACs
  capture --out FILE.pcapng [--device DEV | --subnet CIDR] [--filter BPF] [--host-mac MAC …]
          [--seconds N] [--probe BOND_IP [--rate N]] [--quiet]
                         capture live (one line per decoded frame) into pcapng until Ctrl-C or --seconds,
                         optionally with an ICMP echo stream to the bond; prints counters, ARP classes and
                         echo statistics at the end
  --lab                  run the agent in the virtual lab's namespace: tester0, the bond subnet and the
                         host's MACs by default (--device tap-eth1 captures a switch port)`,
      serve: `usage: bondbench serve [--port N] [--forwarded-port N] [--no-open] [--host-lab] [--instance NAME] [--runs DIR] [--renderer DIR]

  Serves the BondBench UI and its API on http://127.0.0.1 only, behind a token made at each start, and prints the
  address to open (the token is part of it). Ctrl-C cancels a running run (the host is restored) and stops.
  --port N        listen on port N (default: a free port)
  --forwarded-port N
                  also accept Host 127.0.0.1:N / localhost:N, the local end of an SSH forward to this port
                  (ssh -L N:127.0.0.1:PORT); repeat for more. Any other port in Host is refused
  --no-open       do not open a browser
  --host-lab      bring the virtual lab up first (and down again on exit if this command started it)
  --instance NAME the virtual lab instance the default plan targets (default $BONDBENCH_LAB_INSTANCE or "default")
  --runs DIR      where run folders go (default {{runsDir}})
  --renderer DIR  the built renderer (default build/renderer, made by "npm run build:renderer")`,
    },
  },
  // What the host control refuses or fails at (main/host): the guard for its own SSH session, netifrc, sysfs.
  hostRefusal: {
    session: 'this SSH session ({{client}} → {{server}} through {{interface}})',
    bondCarries:
      '{{label}}: {{bond}} carries {{session}}: reconfiguring it takes it down and drops its routes, cutting BondBench off. Use another bond, or manage the host over another interface.',
    slaveCarries:
      '{{label}}: {{slave}} carries {{session}}: enslaving it would take its address and route away. Choose slaves other than {{guarded}}.',
    releaseBreaks: '{{label}}: releasing {{slave}} from {{bond}} would break {{session}}',
    standaloneCarries:
      '{{label}}: {{name}} carries {{session}}: standing the slaves alone flushes {{flushed}} and would cut BondBench off. Choose slaves other than {{guarded}}, or name the management interface in host.management.',
    theBond: 'the bond',
    itsAddresses: 'its addresses',
    noInterface: '{{label}} has no interface {{slave}}',
    belongsTo: '{{label}}: {{slave}} belongs to {{master}}: release it there first',
    noNetifrc:
      '{{label}} has no netifrc (/etc/init.d/net.lo is missing): install net-misc/netifrc, or use the runtime backend',
    noConfig:
      '{{file}} on {{label}} has no config_{{ifvar}}: give the bond an address (e.g. --address 192.168.1.253/24)',
    confChanged: '{{file}} on {{label}} changed since the plan was made: plan again',
    verify: '{{host}}: the bond does not match the plan: {{mismatches}}',
    setting: 'setting {{option}}',
    step: '{{step}}',
    applyFailed: '{{host}}: {{what}} failed',
    applyFailedDetail: '{{host}}: {{what}} failed: {{detail}}',
    remoteFailed: '{{label}}: {{what}} failed (exit {{status}})',
    remoteFailedDetail: '{{label}}: {{what}} failed (exit {{status}}):\n{{detail}}',
    lostConnection: 'lost connection',
    notRoot:
      '{{label}}: this needs root and the login is not root: log in as root, or allow sudo (--sudo) with a NOPASSWD rule for this user',
    sudoPassword:
      '{{label}}: sudo asks for a password; BondBench runs sudo non-interactively: add a NOPASSWD rule or log in as root',
  },
  // A driver that could not do its job at run time (main/drivers DriverError): `said` names the driver.
  driverFailure: {
    said: '{{driver}}: {{what}}',
    cause: '{{cause}}',
    hostCommandFailed: '{{what}}: "{{command}}" exited with {{code}} on the host: {{output}}',
    noCode: 'no code',
    whatFailed: '{{what}}: {{cause}}',
    cannotStart: '{{what}}: cannot start {{program}}: {{reason}}',
    noSuchProgram: 'no such program',
    commandFailed: '{{what}}: {{program}} {{status}}',
    commandFailedDetail: '{{what}}: {{program}} {{status}}: {{detail}}',
    stoppedAfter: 'was stopped after {{ms}} ms',
    exitedWith: 'exited with {{code}}',
    exitedSignal: 'exited with a signal',
    noAnswer: 'no answer within {{ms}} ms',
    pdudaemonUnreachable: 'cannot reach pdudaemon ({{why}}): is it running and listening on {{base}}?',
    pdudaemonRefused:
      'pdudaemon refused power {{action}} (HTTP {{status}}): check that "{{hostname}}" is a PDU in its pdudaemon.conf and port {{port}} exists on it',
    pdudaemonRefusedBody:
      'pdudaemon refused power {{action}} (HTTP {{status}}: {{body}}): check that "{{hostname}}" is a PDU in its pdudaemon.conf and port {{port}} exists on it',
    labSwitchDown: 'lab "{{instance}}" is not running: start it with "bondbench lab up --lacp"',
    unconfirmedUnreadable:
      "{{action}} {{slave}}: cannot read {{slave}}'s {{what}} on the host, so the {{action}} is not confirmed (is {{slave}} a slave of the bond?)",
    unconfirmed:
      '{{action}} {{slave}}: the host still reports {{slave}}\'s {{what}} "{{seen}}" {{elapsed}} ms later (expected "{{want}}" within {{deadline}} ms): {{hint}}',
    outletUnconfirmed:
      '{{action}}: the outlet still reads "{{seen}}" {{elapsed}} ms later (expected "{{want}}" within {{deadline}} ms): check the outlet number and that the PDU accepted the command',
    snmp: {
      open: '{{what}}: {{cause}}',
      timeout:
        '{{what}}: no answer from the SNMP agent at {{label}} within {{ms}} ms ({{tries}} tries): check the host, the port and {{who}} (an agent ignores a wrong community)',
      community: 'the community',
      user: 'user "{{name}}" and its passwords',
      answered: '{{what}}: the SNMP agent at {{label}} answered: {{message}}',
      answeredHint: '{{what}}: the SNMP agent at {{label}} answered: {{message}} — {{hint}}',
      varbind: '{{what}}: {{error}} at {{label}} (wrong outlet or port index?)',
      varbindSet: '{{what}}: {{error}} at {{label}}',
      notInteger: '{{what}}: {{oid}} at {{label}} is not an INTEGER ({{value}})',
      hint: {
        NoSuchName: 'the OID does not exist on this device, or the community/user may not write it',
        NoAccess: 'the community/user is read-only or may not see this OID',
        NotWritable: 'the community/user is read-only, or the OID is not writable on this device',
        NoCreation: 'the OID does not exist on this device (wrong outlet or port index?)',
        AuthorizationError: 'the community/user may not write this OID',
        WrongValue: 'the device does not accept this value for the OID (wrong profile?)',
        WrongType: 'the device expects another type for this OID (wrong profile?)',
        BadValue: 'the device does not accept this value for the OID (wrong profile?)',
        ReadOnly: 'the community/user is read-only',
      },
    },
    carrier: 'carrier',
    miiStatus: 'MII status',
    action: { pull: 'pull', plug: 'plug' },
    hint: {
      plug: 'check the cable and that the port is enabled again',
      physicalPull: "check that the port this driver maps to {{slave}} is the one {{slave}}'s cable goes to",
      logicalPull: 'check that {{slave}} exists on the host and the command ran there',
    },
    labSwitchNoPartner:
      'lab "{{instance}}" is up without its LACP partner, so 802.3ad would have none: take it down and bring it up with "{{command}}" (run --lab does so for a plan with the lab switch)',
  },
  // Errors of the bench's own parts said in the reader's language (SaidError in shared/run/said-error.ts): backups,
  // rollback, the management path, a host that did not return, the lab and QMP, the tester agent, run folders, the
  // API, driver settings. Outside values (paths, hosts, the OS's or QEMU's own text) are vars.
  error: {
    sweepPoint: {
      notSweep: "{{run}} is not a sweep's run: it has no points to choose from",
      none: '{{run}} has no sweep point {{point}}: use one of {{points}}',
    },
    reportFormat: 'unknown report format {{format}}: use one of {{formats}}',
    savedBond: {
      notNumber: 'saved bond option {{field}}={{value}} is not a number',
      unknown: 'saved bond option {{field}}={{value}} is unknown',
      none: '{{bond}} did not exist: nothing to rebuild',
    },
    command: {
      failed: '{{command}} failed ({{status}})',
      failedDetail: '{{command}} failed ({{status}}): {{detail}}',
      failedHint: '{{command}} failed ({{status}})\n{{hint}}',
      failedDetailHint: '{{command}} failed ({{status}}): {{detail}}\n{{hint}}',
      signal: 'signal {{signal}}',
      code: 'exit code {{code}}',
      notInstalled:
        '{{command}} is not installed: run "bash scripts/setup.sh" (as root) to install what BondBench needs',
      hint: {
        tc: 'the LACP lab joins taps with tc (ingress qdisc, u32 filter, mirred action): the kernel needs act_mirred and cls_u32',
        aptUpdate: 'run "apt-get update" (as root) so apt knows Debian\'s kernel packages',
        aptDownload: 'apt-get download needs the Debian mirror and an up-to-date package list ("apt-get update")',
        pdf: 'Chromium did not write a PDF',
      },
    },
    image: {
      noKernelPackage: 'cannot find the kernel package behind linux-image-amd64: {{hint}}',
      noVersion: 'apt-cache show {{name}} gives no version: {{hint}}',
      missingPackages: 'missing Debian packages for the lab guest: {{packages}}: run "bash scripts/setup.sh" as root',
      noModule: 'the kernel package has no module {{module}}',
      noModules: '{{deb}} holds no kernel modules',
    },
    ssh: {
      keyNotAccepted: 'the host key of {{label}} ({{type}} {{fingerprint}}) was not accepted',
      failed: 'SSH to {{label}} failed: {{cause}}',
      closed: 'SSH connection to {{label}} is closed',
      forward: '{{label}} cannot open a connection to {{host}}:{{port}}: {{cause}}',
      exec: 'cannot run a command on {{label}}: {{cause}}',
      timedOut: 'command on {{label}} timed out after {{ms}} ms: {{command}}',
      pty: 'cannot open a terminal on {{label}}: {{cause}}',
    },
    hostKey: {
      changed:
        'the host key of {{label}} has changed: expected {{expected}}, got {{got}}. If the host was reinstalled on purpose, remove its old key from the known-hosts file and accept the new one; otherwise someone may be intercepting the connection.',
      changedAt:
        'the host key of {{label}} has changed: expected {{expected}} ({{where}}), got {{got}}. If the host was reinstalled on purpose, remove its old key from the known-hosts file ({{where}}) and accept the new one; otherwise someone may be intercepting the connection.',
      unknown:
        'the authenticity of {{label}} cannot be established: it is not in {{file}}. Its {{type}} key fingerprint is {{fingerprint}}. If that is the host you mean (compare the fingerprint on its console: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), accept it with "bondbench host accept-key <target>" or --accept-new-host-key.',
      revoked: 'the host key of {{label}} ({{fingerprint}}) is marked @revoked in {{file}} line {{line}}: refused',
    },
    runStop: {
      powerFailed:
        'the power driver failed while {{why}}: {{cause}}{{stop}} Do it by hand: switch {{label}} off, wait {{seconds}} s, switch it on, wait until it answers SSH, then run "{{command}}"',
      gone: '{{label}} {{what}}: {{silent}}{{cycles}}. {{check}}',
      stoppedAnswering: 'stopped answering SSH',
      notBack: 'did not come back after the {{via}}',
      via: { reboot: 'reboot', 'power-cycle': 'power-cycle' },
      silentFor: 'no SSH for {{seconds}} s after {{since}}',
      silentWithin: 'no SSH within {{seconds}} s after {{since}}',
      cycles_one: ', and {{count}} power-cycle through {{driver}} did not bring it back',
      cycles_other: ', and {{count}} power-cycles through {{driver}} did not bring it back',
      noCycles: ' (timeouts.powerCycles is 0: no power-cycle tried)',
      checkConsole: 'Check its console; once it answers SSH, run "{{command}}"',
      checkSsh: 'Check its SSH server and console; once it answers SSH, run "{{command}}"',
      powerCycled:
        '{{label}} stopped answering SSH; the watchdog power-cycled it through {{driver}} and it came back{{after}}: what the mode had set up at runtime is gone, its remaining steps are skipped',
      thePowerDriver: 'the power driver',
      afterPowerOn: ' {{ms}} ms after power-on',
    },
    preflight: '{{driver}}: {{cause}} — nothing on the host was changed',
    testerInterface:
      "tester.interface: no interface of the tester is on the bond's subnet {{subnet}}; give one by name ({{interfaces}})",
    pdf: {
      notExecutable: 'BONDBENCH_CHROMIUM={{path}} is not an executable file',
      noChromium:
        'no Chromium found (looked for {{paths}}): install it ("apt-get install chromium", or run "bash scripts/setup.sh") or set BONDBENCH_CHROMIUM; the desktop app prints with its own',
    },
    capture: {
      byName: 'the capture file must be given by name, e.g. capture/r1-active-backup.pcapng',
      notOfRun:
        '"{{file}}" is not a capture file of this run: give one listCaptures named, e.g. capture/r1-active-backup.pcapng',
      noFile: 'the run has no capture file {{name}}',
      notRegular: 'capture/{{name}} is not a regular file (a link or a folder): it is not read',
      notPull: "step {{index}} is not a measured pull of this run: give a pull step's index",
      ended: 'the capture file ended at {{at}} (it changed while being read)',
      query: 'readCapture wants {file, offset, limit, filter?}',
      offset: 'offset must be a row number ≥ 0, not {{offset}}',
      limit: 'limit must be 1…{{max}} rows, not {{limit}}',
      filter: 'filter must be a display filter of at most 1000 characters',
    },
    planEdit: {
      yamlErrors: 'the plan has YAML errors: fix them in the editor first',
      notMapping: 'the plan must be a YAML mapping',
      notList: '{{path}} is not a list',
    },
    backup: {
      refusedPath: 'refusing the path {{path}}',
      savedName: '{{saved}} is not a saved-file name',
      backupId: '{{id}} is not a backup id',
      notOurs: '{{source}}: {{path}} {{problem}}: this is not a backup BondBench wrote; refusing it',
      theManifest: 'the manifest',
      problem: {
        is: 'is {{value}}',
        isNot: 'is {{value}}, not {{wanted}}',
        hostDir: 'is {{value}}, not <backup root>/backup/{{id}}',
        notObject: 'is not an object',
        notList: 'is not a list',
        notOurFile: 'is {{value}}, not a file BondBench changes',
        twice: 'names {{value}} twice',
        invalid: 'is not valid ({{cause}})',
        notBoolean: 'is not true or false',
      },
      scriptStopped: '{{label}}: the backup script stopped early',
      neitherFile: '{{path}} on {{label}} is neither a file nor a symlink',
      copyVanished: '{{label}}: the copy of {{path}} vanished from {{dir}}',
      copyChecksum: '{{label}}: the copy of {{path}} does not match its checksum',
      notJson: '{{source}}: not JSON ({{error}})',
      linkTarget: 'the saved link target of {{path}} is not a plain path',
      gone: '{{label}}: the backup {{id}} is gone from {{dir}} and no local copy was given',
      nothingToRestore: '{{label}}: nothing to restore: no baseline backup in {{root}} on the host',
      nothingToRestoreRun:
        '{{label}}: nothing to restore: no baseline backup in {{root}} on the host nor in {{runDir}}',
      noRollbackBackup: '{{label}}: no backup to roll back to: configure through BondBench first',
      missing: '{{label}}: backup {{id}} is missing from {{root}}',
    },
    rollbackUnavailable:
      '{{label}} has no way for BondBench to arm a rollback: it looks for OpenRC\'s "local" service (/etc/local.d with "local" in a runlevel). Without it, a configuration that cuts the host off stays until someone fixes it at the console. Enable it (rc-update add local default), or reboot without a safety net (--no-rollback) if you can reach the console.',
    managementPath: {
      unknown:
        '{{label}}: cannot tell which interface carries this SSH session ({{reason}}), so BondBench will not change networking on it',
      noSshConnection: 'the host sets no $SSH_CONNECTION',
      routeNotJson: '"ip -j route get {{client}}" gave no JSON',
      noRoute: 'no route to {{client}}',
    },
    hostDidNotReturn: {
      said: '{{label}} did not answer SSH within {{seconds}} s',
      last: '{{label}} did not answer SSH within {{seconds}} s (last attempt: {{last}})',
      sameBoot: 'still the same boot',
      bootIdUnreadable: 'boot id unreadable ({{code}})',
    },
    hostBusy:
      '{{target}} is in use by run {{runId}} (process {{pid}} on {{machine}}, since {{since}}): one run per host at a time — wait for it or cancel it',
    lab: {
      needsRoot:
        'the virtual lab needs root (network namespaces, taps, QEMU): run it as root, e.g. sudo npx bondbench lab up',
      held: 'lab "{{instance}}" is held by process {{pid}} ({{holder}}): wait for it to finish, or stop it and run "{{command}}"',
      upWithPartner:
        'lab "{{instance}}" is set up with the LACP partner; to bring it up without it, first run "{{command}}"',
      upWithoutPartner:
        'lab "{{instance}}" is set up without the LACP partner; to bring it up with it, first run "{{command}}"',
      partnerExited: "the LACP partner's QEMU exited while it booted; its console log: {{file}}",
      partnerSlow: 'the LACP partner did not bring its bond up in time. Console:\n{{console}}',
      guestExited: 'QEMU exited while the guest booted; its console log: {{file}}',
      guestSlow: 'the lab guest did not answer SSH in time ({{last}}). Console:\n{{console}}',
      noAnswer: 'no answer',
      noConsole: '(no console output)',
      noPartner:
        'lab "{{instance}}" has no LACP partner to cable the slaves to: take it down and bring it up with "{{command}}"',
      recabled: 're-cabling {{slave}} to the {{to}} left it on {{now}}',
      cabling: { partner: 'partner', bridge: 'bridge', loose: 'loose' },
      notSetUp: 'lab "{{instance}}" is not set up: start it with "bondbench lab up"',
    },
    qmp: {
      failed: 'QMP {{command}} failed: {{qmpClass}}: {{desc}}',
      unreachable: "cannot reach QEMU's QMP socket {{path}}: {{cause}}",
      noAnswer: 'QMP socket {{path}} did not answer',
      closed: 'QMP connection closed',
    },
    tester: {
      missing: 'the tester agent is missing: {{path}}',
      launch: '{{cause}}',
      exited: 'the tester agent exited ({{how}})',
      exitedSaid: 'the tester agent exited ({{how}}): {{stderr}}',
      signal: 'signal {{signal}}',
      code: 'code {{code}}',
      cannotStart: 'cannot start the tester agent ({{command}}): {{cause}}',
      noAnswer: 'the tester agent did not answer within {{ms}} ms',
      protocol: 'the tester agent speaks protocol {{agent}}, this bench {{bench}}: install the same BondBench on both',
      request: '{{request}}: {{cause}}',
    },
    agentLaunch: {
      insideArchive:
        'the tester agent cannot run in {{cwd}}: it is inside an archive; the shell must pass a real directory',
      netnsLinuxOnly: 'network namespaces exist on Linux only',
      netnsName: 'network namespace {{netns}}: use letters, digits, ".", "_" and "-"',
      launcher:
        'BONDBENCH_TESTER_LAUNCHER={{launcher}}: the only launcher is "sudo" (Linux and macOS; see the README\'s capture permissions)',
      notSudo: 'the agent is not started through sudo',
      sudoersSpaces: 'sudoers cannot match an argument with spaces: install BondBench under a path without',
    },
    store: {
      notRunId: '{{id}} is not a run id: an id is a run folder\'s name (letters, digits, ".", "_", "-")',
      noRun: 'no run "{{id}}" in {{root}}: pick one from "bondbench runs"',
      outside: 'run "{{id}}" leads outside the runs folder {{root}}: refused',
      noFreeName: '{{root}} has no free run folder name for {{base}}',
      symlink: '{{path}} is a symbolic link: a run folder holds regular files only',
      notRegular: '{{path}} is not a regular file',
      notRunFolder: '{{dir}} is not a BondBench run folder (no run.json)',
      noRunGiven: 'no run {{run}}: give a run folder or an id from "bondbench runs"',
    },
    runFile: {
      at: '{{file}}: {{detail}}',
      atLine: '{{file}}:{{line}}: {{detail}}',
      notJson: 'not JSON ({{error}})',
      shape: 'does not have the expected shape',
      theRecord: 'the record',
      missing: '{{where}}: the field {{field}} is missing',
      unexpected: '{{where}}: unexpected field {{field}}',
      oneOf: '{{where}} must be one of {{values}}',
      mustBe: '{{where}} must be {{value}}',
      ajv: '{{where}} {{message}}',
      invalid: '{{where}} is not valid',
    },
    api: {
      notJson: 'the request is not JSON',
      notObject: 'the request must be an object',
      noId: 'the request needs an id (number or string)',
      unknownMethod: 'unknown method {{method}}: the API has {{methods}}',
      paramsNotArray: 'params must be an array of arguments',
      takes: '{{method}} takes ({{params}})',
      stepIndex: 'step must be a step index (0, 1, …), not {{step}}',
      language: 'language must be one of {{languages}}, not {{language}}',
      takesNone: '{{method}} takes no arguments',
      binary: 'send JSON text frames',
      notSent: 'the answer could not be sent: {{cause}}',
    },
    server: {
      notBuilt: 'the renderer is not built (no {{file}}): run "npm run build:renderer"',
      portInUse: 'port {{port}} is in use: pick another with --port, or leave it out for a free one',
    },
    driverConfig: {
      invalid: 'the {{kind}} driver is not valid:\n  {{issues}}',
      lines: '{{a}}\n  {{b}}',
      issue: '{{field}}: {{problem}}',
      kind: { power: 'power', link: 'link', switch: 'switch' },
      unknownType: '{{kind}} driver type {{type}} is unknown: use one of {{types}}',
    },
  },
  // The run log (shared/run/log.ts): what the engine, host control, drivers, SSH, the lab and the tester say while
  // they work. The English is log.txt's; values are what came from outside (paths, argv, names, errors' own text).
  log: {
    text: '{{text}}',
    warning: 'warning: {{warning}}',
    marker: { load: 'load {{peers}} peers × {{flows}} flows' },
    run: {
      resuming_one: 'resuming after {{count}} step',
      resuming_other: 'resuming after {{count}} steps',
      failed: 'run failed: {{error}}',
      pluggedBack: '{{slave}}: cable plugged back in (the run stopped while it was pulled)',
      restored: 'host restored to its original configuration',
      sweepPoint: 'sweep point {{n}}/{{of}}: {{point}}',
    },
    step: {
      label: 'mode {{mode}}: {{step}}',
      labelAtPoint: '{{point}}, mode {{mode}}: {{step}}',
      'bring-up': 'bring-up',
      'read-macs': 'read MACs',
      probe: 'probe {{seconds}} s',
      pull: 'pull {{slave}}',
      plug: 'plug {{slave}}',
      'power-cycle': 'power-cycle (off {{offSeconds}} s)',
      reboot: 'reboot',
      load: 'load {{peers}} peers × {{flows}} flows, {{seconds}} s',
      switchPorts: '{{step}}: switch ports for {{channel}}: {{attachedTo}}',
      lacpUp: '{{step}}: LACP negotiated {{ms}} ms after bring-up: {{reason}}',
      lacpNotUp: '{{step}}: LACP did not negotiate within {{seconds}} s: {{reason}}',
      noLacpState: 'the bond shows no LACP state',
      loadSent: '{{step}}: {{sent}} requests sent, {{received}} answered',
      aggregateBack: '{{step}}: {{slave}} back in the aggregate {{ms}} ms after the plug: {{reason}}',
      aggregateNotBack: '{{step}}: {{slave}} not back in the aggregate within {{seconds}} s: {{reason}}',
      failed: '{{step}} failed: {{error}}',
      countersUnread: "{{step}}: the capture's counters could not be read: {{error}}",
      probeShort: '{{step}}: the probe sent {{achieved}} requests/s, short of the planned {{rate}}/s',
      afterLast: 'mode {{mode}}: after the last step',
    },
    host: {
      reconnecting: '{{host}}: the SSH connection dropped; connecting again',
      disarmed: '{{host}}: disarmed a pending rollback before restoring',
      noCarrier: '{{host}}: {{bond}} restored, but without carrier {{ms}} ms later',
      rebootSent: '{{host}}: reboot sent',
      applying: '{{host}}: applying {{config}}',
      config: '{{bond}} {{mode}} on {{slaves}} ({{options}})',
      notBack: '{{host}}: not back yet ({{why}}); retrying in {{ms}} ms',
    },
    ssh: {
      keyEncrypted: 'skipping {{file}}: it is encrypted and no passphrase was given',
      noAgent: 'ssh-agent {{socket}} does not exist: not using the agent',
      noIdentityFile: 'IdentityFile {{file}} does not exist',
      proxyCommand: '{{host}}: ProxyCommand {{command}}',
      proxyJump: '{{host}}: ProxyJump through {{through}}',
    },
    tester: {
      said: 'tester: {{line}}',
      probeShort:
        'tester: the probe sent {{sent}} of the {{due}} requests {{rate}}/s called for{{achieved}}{{refused}}',
      achieved: ' ({{rate}}/s)',
      refused: '; libpcap refused {{count}}',
    },
    agent: {
      probeNoReplies: 'probe {{probe}}: no more replies: {{error}}',
      probeSendFailed: 'probe {{probe}}: send failed: {{error}}',
      echoDropped_one: 'probe {{probe}}: {{count}} echo event dropped (the client did not read it)',
      echoDropped_other: 'probe {{probe}}: {{count}} echo events dropped (the client did not read them)',
      captureWriteFailed: 'capture {{capture}}: {{error}}',
    },
    boot: {
      powerOff: '{{host}}: power off through {{driver}} ({{why}})',
      powerOn: '{{host}}: power on through {{driver}} after {{seconds}} s off',
      back: '{{host}}: back after watchdog power-cycle {{attempt}}, {{ms}} ms after power-on',
      watchdog: '{{host}}: {{silent}}: watchdog power-cycle {{attempt}} of {{of}}',
      silentFor: 'no SSH for {{seconds}} s after {{since}}',
      silentWithin: 'no SSH within {{seconds}} s after {{since}}',
      why: {
        planned: 'power-cycling it as the plan asks',
        stoppedAnswering: 'power-cycling it because it stopped answering SSH',
        didNotComeBack: 'power-cycling it because it did not come back',
      },
      since: {
        reboot: 'the reboot',
        powerOn: 'power-on',
        connectionDropped: 'the connection dropped',
        lastPowerOn: 'the last power-on',
      },
    },
    driver: {
      command: '{{driver}}: {{what}}: {{argv}}',
      http: '{{driver}}: {{method}} {{path}}',
      snmpSet: '{{driver}}: {{action}}: set {{oid}} = {{value}}',
      snmpPort: '{{driver}}: {{slave}} is on ifIndex {{index}} ({{port}})',
      snmpAdmin: '{{driver}}: {{action}} {{slave}}: set ifAdminStatus.{{index}} = {{value}}',
      unconfirmed: '{{driver}}: no MII status reader, so pulls and plugs are not confirmed on the host',
      linkConfirmed: '{{action}} {{slave}}: {{what}} {{want}} on the host after {{ms}} ms',
      action: { pull: 'pull', plug: 'plug' },
      power: { on: 'power on', off: 'power off', cycle: 'power cycle' },
      powerUnreadable: '{{driver}}: {{action}} sent; this device cannot be read back, so it is not confirmed',
      powerConfirmed: '{{driver}}: {{action}}: reads {{want}} after {{ms}} ms',
    },
    lab: {
      alreadyUp: 'lab "{{instance}}" is already up',
      poweringOn: 'lab "{{instance}}" is powered off: powering it on',
      namespace: 'creating network namespace {{namespace}}',
      namespaceLacp: 'creating network namespace {{namespace}} (slaves cabled to an LACP partner)',
      startingGuest: 'starting the guest ({{accel}}, {{kernel}})',
      guestUp: 'guest up: SSH answered {{seconds}} s after start',
      startingPartner: 'starting the LACP partner (802.3ad lacp_rate {{lacpRate}}, system {{system}})',
      partnerUp: 'LACP partner up: bond and bridge ready {{seconds}} s after start',
      stopping: { guest: 'stopping QEMU (pid {{pid}})', partner: 'stopping the LACP partner (pid {{pid}})' },
      removingNamespace: 'removing network namespace {{namespace}}',
      recabled: 'lab "{{instance}}": eth1 and eth2 re-cabled from the {{from}} to the {{to}}',
      end: { partner: 'partner', bridge: 'bridge' },
      resetSilent: 'warm reset: no SSH after {{seconds}} s ({{error}}); power-cycling the guest',
      loginKey: 'generating the lab login key',
      hostKey: 'generating the lab host key',
      building: 'building the lab guest image ({{kernel}} {{version}})',
      downloading: 'downloading {{kernel}} from Debian',
      imageReady: 'guest image ready in {{seconds}} s: {{dir}}',
      tryingKvm: 'trying KVM (a short test boot)',
      kvmWorks: 'KVM works (test boot {{ms}} ms)',
      kvmTimedOut: 'KVM does not boot the guest here (timed out); using TCG',
      kvmFailed: 'KVM does not boot the guest here (exit {{code}}); using TCG',
    },
  },
  doctor: doctorMessages('en'),
};
