/**
 * The catalogue's `doctor` namespace (shared/i18n/en.ts and zh-CN.ts mount it): `bondbench doctor`'s lines and fixes,
 * and the UI's doctor panel, in English and Simplified Chinese. Pure.
 */
import type { Language } from '../api.js';

const en = {
  runtime: {
    node: 'Node.js {{version}} (native module ABI {{modules}})',
    electron: 'Electron {{version}} as Node (native module ABI {{modules}})',
  },
  npcap: {
    found: 'Npcap found in {{dir}} (the tester agent puts it on its DLL path)',
    compat: 'Npcap found in {{dir}}, with WinPcap API-compatible mode',
    missing: 'Npcap is not installed: no wpcap.dll/Packet.dll in {{dir}}',
  },
  cap: {
    ok: 'libpcap through cap {{version}} loads in {{runtime}} (ABI {{modules}}), timestamps: {{precision}}',
    abi: 'cap.node was built for ABI {{built}}, this {{runtime}} needs ABI {{required}}',
    noLibpcap: 'cap cannot load libpcap: {{error}}',
    unpatched: "cap lacks BondBench's patch (no packet timestamps, no drop counters)",
  },
  agent: {
    failed: 'the tester agent did not start: {{error}}',
  },
  permission: {
    ok_one: 'the tester agent may capture and send (checked on {{count}} interface)',
    ok_other: 'the tester agent may capture and send (checked on {{count}} interfaces)',
    okLauncher_one: 'the tester agent, started through {{launcher}}, may capture and send ({{count}} interface)',
    okLauncher_other: 'the tester agent, started through {{launcher}}, may capture and send ({{count}} interfaces)',
    denied: 'the tester agent may not capture: {{error}}',
    noDevice: 'no interface to capture on besides loopback',
  },
  interface: {
    captureSend: '{{name}} · {{mac}} · {{addresses}} · capture ✓ send ✓',
    captureOnly: '{{name}} · {{mac}} · {{addresses}} · capture ✓ send ✗ (no MAC or IPv4 address: mirror port only)',
    noCapture: '{{name}} · {{mac}} · {{addresses}} · capture ✗: {{error}}',
    down: '{{name}} · {{mac}} · {{addresses}} · not up: nothing to capture until it is',
  },
  ssh: {
    agent_one: 'ssh-agent {{agent}} ({{source}}) holds {{count}} key',
    agent_other: 'ssh-agent {{agent}} ({{source}}) holds {{count}} keys',
    agentDown: 'ssh-agent {{agent}} ({{source}}) does not answer: {{error}}',
    noAgent: 'no ssh-agent: logins need an IdentityFile or a password',
  },
  knownHosts: {
    file_one: 'known_hosts {{file}}: {{count}} host key',
    file_other: 'known_hosts {{file}}: {{count}} host keys',
    none: 'known_hosts {{file}} does not exist yet: the first contact with a host asks to accept its key',
  },
  pdf: {
    electron: "PDF reports: Electron's printToPDF",
    chromium: 'PDF reports: headless Chromium {{path}}',
    none: 'PDF reports: no Chromium, Chrome or Edge found ({{error}})',
  },
  plan: {
    item: '{{what}}: {{detail}}',
  },
  probe: {
    ok: 'probe {{target}} from {{device}}: {{replies}}/{{sent}} echo replies in {{seconds}} s, median RTT {{rtt}} ms, {{frames}} frames captured',
    noReply: 'probe {{target}} from {{device}}: no echo reply to {{sent}} requests ({{frames}} frames captured)',
    nothingSeen: 'probe {{target}} from {{device}}: {{sent}} requests sent, nothing captured',
    error: 'probe {{target}}: {{error}}',
  },
  fix: {
    reinstallApp: 'reinstall BondBench: its cap.node must be the one built for this Electron',
    patchCap: 'run "node scripts/patch-cap.mjs" (npm runs it at install) to rebuild cap for this Node',
    installNpcap: 'install Npcap from https://npcap.com/ (defaults are fine; WinPcap compatibility is not needed)',
    installLibpcap: 'install libpcap: apt-get install libpcap0.8 (Debian/Ubuntu) or dnf install libpcap',
    agent: 'run "bondbench tester interfaces" to see the agent\'s own error',
    noDevice: 'connect the tester port; pseudo-devices (any, nflog, bluetooth) do not count',
    npcapAdminOnly:
      'Npcap was installed with "Restrict Npcap driver\'s access to Administrators only": reinstall it without, or run BondBench as administrator',
    linuxCapture:
      'give the agent alone the right: set BONDBENCH_TESTER_LAUNCHER=sudo with the sudoers line from the README ("Capture permissions"), or setcap cap_net_raw,cap_net_admin=eip on a Node used only for BondBench; never run the app as root',
    bpfAccess: "give your user read/write access to /dev/bpf* (Wireshark's ChmodBPF does this)",
    windowsAgent:
      'start the "OpenSSH Authentication Agent" service (Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent) and ssh-add your key, or run Pageant',
    sshAgent: 'start ssh-agent and ssh-add your key, or give an IdentityFile in ~/.ssh/config',
    sshAdd: 'ssh-add your key',
    chromium: 'install Chromium (apt-get install chromium) or set BONDBENCH_CHROMIUM; the desktop app needs none',
    text: '{{text}}',
    probe: 'check the cabling, the target address and that the tester port is on its subnet',
    linkUp: 'bring it up (ip link set DEV up; on Windows enable the adapter) if it is a test port',
  },
  ui: {
    title: 'Doctor',
    intro: 'What will and will not work on this machine, with the fix for each ✗.',
    run: 'Check this machine',
    running: 'checking…',
    allGood: 'Nothing failed.',
    someFailed: 'Something failed: see ✗ and its fix.',
    probeTarget: 'probe a host (optional, 5 s)',
    status: { ok: 'works', fail: 'fails', warn: 'warning', info: 'note' },
  },
};

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
export type DoctorMessages = Shape<typeof en>;

const zhCN: DoctorMessages = {
  runtime: {
    node: 'Node.js {{version}}（原生模块 ABI {{modules}}）',
    electron: 'Electron {{version}} 以 Node 方式运行（原生模块 ABI {{modules}}）',
  },
  npcap: {
    found: '已在 {{dir}} 找到 Npcap（测试端代理会把它加入 DLL 搜索路径）',
    compat: '已在 {{dir}} 找到 Npcap，并启用了 WinPcap API 兼容模式',
    missing: '未安装 Npcap：{{dir}} 中没有 wpcap.dll/Packet.dll',
  },
  cap: {
    ok: 'cap {{version}} 可在 {{runtime}}（ABI {{modules}}）中加载 libpcap，时间戳精度：{{precision}}',
    abi: 'cap.node 为 ABI {{built}} 编译，而当前 {{runtime}} 需要 ABI {{required}}',
    noLibpcap: 'cap 无法加载 libpcap：{{error}}',
    unpatched: 'cap 缺少 BondBench 补丁（没有报文时间戳和丢包计数）',
  },
  agent: {
    failed: '测试端代理未能启动：{{error}}',
  },
  permission: {
    ok_one: '测试端代理可以抓包和发包（已在 {{count}} 个接口上验证）',
    ok_other: '测试端代理可以抓包和发包（已在 {{count}} 个接口上验证）',
    okLauncher_one: '测试端代理经 {{launcher}} 启动后可以抓包和发包（{{count}} 个接口）',
    okLauncher_other: '测试端代理经 {{launcher}} 启动后可以抓包和发包（{{count}} 个接口）',
    denied: '测试端代理无权抓包：{{error}}',
    noDevice: '除环回接口外没有可抓包的接口',
  },
  interface: {
    captureSend: '{{name}} · {{mac}} · {{addresses}} · 抓包 ✓ 发包 ✓',
    captureOnly: '{{name}} · {{mac}} · {{addresses}} · 抓包 ✓ 发包 ✗（无 MAC 或 IPv4 地址：只能作镜像端口）',
    noCapture: '{{name}} · {{mac}} · {{addresses}} · 抓包 ✗：{{error}}',
    down: '{{name}} · {{mac}} · {{addresses}} · 未启用：启用前无法抓包',
  },
  ssh: {
    agent_one: 'ssh-agent {{agent}}（{{source}}）持有 {{count}} 把密钥',
    agent_other: 'ssh-agent {{agent}}（{{source}}）持有 {{count}} 把密钥',
    agentDown: 'ssh-agent {{agent}}（{{source}}）无响应：{{error}}',
    noAgent: '没有 ssh-agent：登录需要 IdentityFile 或密码',
  },
  knownHosts: {
    file_one: 'known_hosts {{file}}：{{count}} 个主机密钥',
    file_other: 'known_hosts {{file}}：{{count}} 个主机密钥',
    none: 'known_hosts {{file}} 尚不存在：首次连接主机时会询问是否接受其密钥',
  },
  pdf: {
    electron: 'PDF 报告：使用 Electron 的 printToPDF',
    chromium: 'PDF 报告：使用无头 Chromium {{path}}',
    none: 'PDF 报告：未找到 Chromium、Chrome 或 Edge（{{error}}）',
  },
  plan: {
    item: '{{what}}：{{detail}}',
  },
  probe: {
    ok: '从 {{device}} 探测 {{target}}：{{seconds}} 秒内收到 {{replies}}/{{sent}} 个回显应答，RTT 中位数 {{rtt}} ms，抓到 {{frames}} 帧',
    noReply: '从 {{device}} 探测 {{target}}：{{sent}} 个请求均无回显应答（抓到 {{frames}} 帧）',
    nothingSeen: '从 {{device}} 探测 {{target}}：已发送 {{sent}} 个请求，但什么也没抓到',
    error: '探测 {{target}}：{{error}}',
  },
  fix: {
    reinstallApp: '重新安装 BondBench：其 cap.node 必须是为当前 Electron 编译的',
    patchCap: '运行 "node scripts/patch-cap.mjs"（npm 安装时会自动运行）为当前 Node 重新编译 cap',
    installNpcap: '从 https://npcap.com/ 安装 Npcap（默认选项即可，不需要 WinPcap 兼容模式）',
    installLibpcap: '安装 libpcap：apt-get install libpcap0.8（Debian/Ubuntu）或 dnf install libpcap',
    agent: '运行 "bondbench tester interfaces" 查看代理自身的错误',
    noDevice: '接好测试端口；伪设备（any、nflog、bluetooth）不算',
    npcapAdminOnly: 'Npcap 安装时勾选了“仅限管理员访问 Npcap 驱动”：请不勾选重新安装，或以管理员身份运行 BondBench',
    linuxCapture:
      '只给代理授权：设置 BONDBENCH_TESTER_LAUNCHER=sudo 并按 README（“抓包权限”）添加 sudoers 行，或对仅供 BondBench 使用的 Node 执行 setcap cap_net_raw,cap_net_admin=eip；切勿以 root 运行整个应用',
    bpfAccess: '让当前用户可读写 /dev/bpf*（Wireshark 的 ChmodBPF 可完成此事）',
    windowsAgent:
      '启动“OpenSSH Authentication Agent”服务（Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent）并用 ssh-add 添加密钥，或运行 Pageant',
    sshAgent: '启动 ssh-agent 并用 ssh-add 添加密钥，或在 ~/.ssh/config 中指定 IdentityFile',
    sshAdd: '用 ssh-add 添加密钥',
    chromium: '安装 Chromium（apt-get install chromium）或设置 BONDBENCH_CHROMIUM；桌面应用无需安装',
    text: '{{text}}',
    probe: '检查接线、目标地址，以及测试端口是否在其子网内',
    linkUp: '若是测试端口，请启用它（ip link set DEV up；Windows 下启用该网卡）',
  },
  ui: {
    title: '诊断',
    intro: '本机哪些功能可用、哪些不可用，每个 ✗ 都附有修复方法。',
    run: '检查本机',
    running: '检查中…',
    allGood: '没有失败项。',
    someFailed: '有失败项：请查看 ✗ 及其修复方法。',
    probeTarget: '探测一台主机（可选，5 秒）',
    status: { ok: '正常', fail: '失败', warn: '警告', info: '说明' },
  },
};

/** The `doctor` namespace in one language. */
export function doctorMessages(language: Language): DoctorMessages {
  return language === 'zh-CN' ? zhCN : en;
}
