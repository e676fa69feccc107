; BondBench captures with libpcap; on Windows that is Npcap, installed separately (its licence forbids bundling).
; The tester agent puts %SystemRoot%\System32\Npcap first on its PATH (shared/platform/agent.ts), so cap.node finds
; Npcap's wpcap.dll with or without "WinPcap API-compatible mode". This installer is 32-bit: without turning off
; WOW64 file system redirection, $SYSDIR would be SysWOW64, where a 64-bit-only Npcap has no DLL.
!include x64.nsh

!macro customInstall
  ${If} ${RunningX64}
    ${DisableX64FSRedirection}
  ${EndIf}
  StrCpy $0 "missing"
  IfFileExists "$SYSDIR\Npcap\wpcap.dll" 0 +2
    StrCpy $0 "found"
  IfFileExists "$SYSDIR\Npcap\Packet.dll" +2 0
    StrCpy $0 "missing"
  ${If} ${RunningX64}
    ${EnableX64FSRedirection}
  ${EndIf}
  StrCmp $0 "found" npcap_found 0
    MessageBox MB_OK|MB_ICONINFORMATION "BondBench needs Npcap to capture traffic.$\r$\nInstall it from https://npcap.com/ (the defaults are fine), then run 'bondbench doctor' or open Doctor in the app."
  npcap_found:
!macroend
