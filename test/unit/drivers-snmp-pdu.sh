#!/bin/bash
# A switched PDU behind snmpd's `pass_persist` for the SNMP power driver tests: APC PowerNet sPDUOutletCtl or Raritan
# PDU2 switchingOperation/outletSwitchingState, outlets 1-8. Each outlet is a file in DIR holding "on", "off" or
# "cycle <ms>" (a cycle reads off for CYCLE_MS, then on); every switch is appended to DIR/events.
#   snmpd.conf: pass_persist <profile base OID> /bin/bash drivers-snmp-pdu.sh apc|raritan DIR
# (pass_persist, not pass: snmpd caches a `pass` program's answer to a repeated get, which would hide the cycle.)
set -u
profile=$1 dir=$2
OUTLETS=8
CYCLE_MS=1000

case $profile in
  apc)
    control=.1.3.6.1.4.1.318.1.1.4.4.2.1.3 state=.1.3.6.1.4.1.318.1.1.4.4.2.1.3
    write_on=1 write_off=2 write_cycle=3 read_on=1 read_off=2 read_cycle=3 ;;
  raritan)
    control=.1.3.6.1.4.1.13742.6.4.1.2.1.2.1 state=.1.3.6.1.4.1.13742.6.4.1.2.1.3.1
    write_on=1 write_off=0 write_cycle=2 read_on=7 read_off=8 read_cycle=8 ;;
  *) exit 1 ;;
esac

# Fork-free, so snmpd never waits long for an answer (it gives a pass_persist program little time).
now_ms() {
  local t=${EPOCHREALTIME/./}
  now=$((t / 1000))
}

# Sets n to the outlet number of $oid under base $1, or fails.
outlet_of() {
  n=${oid#"$1".}
  [ "$n" != "$oid" ] && [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= OUTLETS))
}

# Sets word to on | off | cycle for outlet $n.
outlet_state() {
  local file=$dir/$profile-$n at
  word=on
  [ -f "$file" ] || return 0
  read -r word at <"$file"
  now_ms
  if [ "$word" = cycle ] && ((now - at >= CYCLE_MS)); then
    echo on >"$file"
    word=on
  fi
}

get() {
  local v
  if outlet_of "$state"; then
    outlet_state
    case $word in on) v=$read_on ;; off) v=$read_off ;; *) v=$read_cycle ;; esac
  elif outlet_of "$control"; then
    outlet_state
    case $word in on) v=$write_on ;; off) v=$write_off ;; *) v=$write_cycle ;; esac
  else
    echo NONE
    return
  fi
  printf '%s\ninteger\n%s\n' "$oid" "$v"
}

set_outlet() {
  local type value
  read -r type value
  if ! outlet_of "$control"; then echo not-writable; return; fi
  if [ "$type" != integer ]; then echo wrong-type; return; fi
  case $value in
    "$write_on") echo on >"$dir/$profile-$n"; echo "$profile $n on" >>"$dir/events" ;;
    "$write_off") echo off >"$dir/$profile-$n"; echo "$profile $n off" >>"$dir/events" ;;
    "$write_cycle") now_ms; echo "cycle $now" >"$dir/$profile-$n"; echo "$profile $n cycle" >>"$dir/events" ;;
    *) echo wrong-value; return ;;
  esac
  echo DONE
}

while read -r command; do
  case $command in
    PING) echo PONG ;;
    get) read -r oid; get ;;
    getnext) read -r oid; echo NONE ;; # nothing to walk: the drivers address outlets directly
    set) read -r oid; set_outlet ;;
    '') ;; # snmpd ends a set with an empty line
    *) exit 0 ;;
  esac
done
