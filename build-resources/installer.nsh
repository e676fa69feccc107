; BondBench captures with libpcap; on Windows that is Npcap, installed separately.
!macro customInstall
  IfFileExists "$SYSDIR\Npcap\wpcap.dll" npcap_found 0
  IfFileExists "$SYSDIR\wpcap.dll" npcap_found 0
    MessageBox MB_OK|MB_ICONINFORMATION "BondBench needs Npcap to capture traffic.$\r$\nInstall it from https://npcap.com/ and tick 'Install Npcap in WinPcap API-compatible Mode'."
  npcap_found:
!macroend
