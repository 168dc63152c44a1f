/*
 * Verbatim Asterisk output from /work/shared/reference/asterisk-output-samples.md (collected from
 * Asterisk's own format strings and public captures). Test data for the list parsers: every sample
 * must parse into sensible items. Trailing spaces are part of the samples (`   Members: `).
 */

export interface AsteriskSample {
  name: string;
  kind: 'concise' | 'queue show' | 'hints' | 'member';
  text: string;
}

export const SAMPLES: readonly AsteriskSample[] = [
  {
    name: 'concise 1.4 dial',
    kind: 'concise',
    text: 'SIP/11-0932cb90!macro-stdexten_nos!s!2!Ring!Dial!SIP/8001|40|Ttfr!11!!3!4!(None)\nSIP/8001-0932e3c0!co_outbound!8001!1!Ringing!AppDial!(Outgoing Line)!8001!!3!4!(None)\nSIP/8001-094de4d8!co_outbound!!1!Up!Bridged Call!SIP/11-0932e120!8001!!3!6!SIP/11-0932e120\nSIP/11-0932e120!macro-stdexten_nos!s!2!Up!Dial!SIP/8001|40|Ttfr!11!!3!6!SIP/8001-094de4d8\n',
  },
  {
    name: 'concise 1.4 queue via Local',
    kind: 'concise',
    text: 'Local/603@from-internal-92f4,1!from-internal!900!1!Up!AppQueue!(Outgoing Line)!8182831675!!3!260!DAHDI/5-1\nDAHDI/5-1!ext-queues!900!11!Up!Queue!900|tr|||20!8182831675!!3!262!Local/603@from-internal-92f4,1\n',
  },
  {
    name: 'concise 1.6',
    kind: 'concise',
    text: 'SIP/207-00000f5a!from-internal!!1!Up!AppDial!(Outgoing Line)!207!!3!209!Local/207@sugarsip-ca35;2!1333295931.5214\nLocal/207@sugarsip-ca35;1!sugarsip!!1!Up!AppDial!(Outgoing Line)!207!!3!214!SIP/Flowroute-00000f59!1333295927.5212\nSIP/Flowroute-00000f59!macro-dial!s!7!Up!Dial!Local/207@sugarsip/n,"",tr!+14102152497!!3!223!Local/207@sugarsip-ca35;1!1333295918.5211\n',
  },
  {
    name: 'concise 1.8/11 dial',
    kind: 'concise',
    text: 'SIP/106-00000177!macro-dial-one!s!44!Ring!Dial!SIP/105&SIP/99105,20,TtrI!106!!!3!7!(None)!1435996531.5869\nSIP/105-00000178!from-internal!105!1!Ringing!AppDial!(Outgoing Line)!105!!!3!7!(None)!1435996531.5870\nSIP/106-00000179!macro-dial-one!s!44!Up!Dial!SIP/105&SIP/99105,20,TtrI!106!!!3!9!SIP/105-0000017a!1435996552.5871\nSIP/105-0000017a!from-internal!!1!Up!AppDial!(Outgoing Line)!105!!!3!9!SIP/106-00000179!1435996553.5872\n',
  },
  {
    name: 'concise 1.8/11 queue via Local',
    kind: 'concise',
    text: 'SIP/8004-000000aa!from-internal!401!10!Up!Queue!401,t,,,30!8004!!!3!21!Local/8003@from-queue-00000012;1!1441604412.206\nLocal/8003@from-queue-00000012;1!from-queue!401!1!Up!AppQueue!(Outgoing Line)!8003!!!3!21!SIP/8004-000000aa!1441604413.207\nLocal/8003@from-queue-00000012;2!macro-dial-one!s!37!Up!Dial!SIP/8003,"",trM(auto-blkvm)!8004!!!3!21!SIP/8003-000000ab!1441604413.208\n',
  },
  {
    name: 'concise 13 bridge ids',
    kind: 'concise',
    text: 'SIP/IP-101-Q14V2-00000001!macro-externa!s!22!Ring!Dial!SIP/IP-7436-QPQGE/997799298,90,TtM(saida_atendimento)!101!3!!3!2!!1740760337.1\nSIP/IP-7436-QPQGE-00000002!C_1_ENT!997799298!1!Down!AppDial!(Outgoing Line)!997799298!3!3!3!2!!1740760337.2\nSIP/551120872200-00086494!macro-filas!s!13!Up!Queue!Queue_110,tk,,,180,,agente_atendimento!17996724635!1!!3!252!fafc1c66-83bd-4af0-a14e-35c06098cad6!1744055691.1128248\nSIP/134-IPF8nR3-000864dd!CONTEXT_2!Menu1!1!Up!AppQueue!(Outgoing Line)!134!!1!3!194!fafc1c66-83bd-4af0-a14e-35c06098cad6!1744055749.1128356\nSIP/551120872200-000864df!macro-filas!s!13!Up!Queue!Queue_110,tk,,,180,,agente_atendimento!71996233050!1!!3!189!!1744055753.1128403\nSIP/130-IP56Zpb-00081407!CONTEXT_2!!1!Up!ChanSpy!SIP/136-IP8IaBB,bq!130!!!3!264290!!1743791653.1088618\n',
  },
  {
    name: 'concise PJSIP 18',
    kind: 'concise',
    text: 'PJSIP/test-00000000!demo!1234!50005!Up!Dial!Console/dsp,20!test!!!3!13!df20e970-d58e-476c-8738-24f345bfd190!1616987975.0\nConsole/dsp!default!!1!Up!AppDial!(Outgoing Line)!1234!!!3!13!df20e970-d58e-476c-8738-24f345bfd190!1616987975.1\n',
  },
  {
    name: 'queue show 1.4',
    kind: 'queue show',
    text: "6501         has 1 calls (max unlimited) in 'ringall' strategy (0s holdtime), W:0, C:0, A:4, SL:0.0% within 0s\n   Members: \n      Agent/6000 (Busy) has taken no calls yet\n   Callers: \n      1. IAX2/6000-453 (wait: 0:03, prio: 0)\n\n6500         has 0 calls (max unlimited) in 'ringall' strategy (0s holdtime), W:0, C:0, A:2, SL:0.0% within 0s\n   No Members\n   No Callers\n",
  },
  {
    name: 'queue show 13',
    kind: 'queue show',
    text: "Queue_110 has 6 calls (max unlimited) in 'rrmemory' strategy (45s holdtime, 310s talktime), W:0, C:124, A:242, SL:0.0% within 0s\n   Members: \n      Agent_428 (SIP/105-IPCZncL) (ringinuse disabled) (dynamic) (paused) (Not in use) has taken no calls yet\n      Agent_461 (SIP/137-IPM87rR) (ringinuse disabled) (dynamic) (in call) (In use) has taken 19 calls (last was 108 secs ago)\n      Agent_308 (SIP/318-IPFJ95b) (ringinuse disabled) (dynamic) (Invalid) has taken no calls yet\n      SIP/262-IPJM3GO (ringinuse disabled) (paused) (Busy) has taken no calls yet\n   Callers: \n      1. SIP/551120872200-000864df (wait: 2:30, prio: 0)\n      10. SIP/551120872200-00086344 (wait: 3:41, prio: 0)\n",
  },
  {
    name: 'queue show 16.23 AMI',
    kind: 'queue show',
    text: "Output: Queue_11 has 0 calls (max unlimited) in 'rrmemory' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0%, SL2:0.0% within 0s\nOutput:    Members: \nOutput:       SIP/IP-100-CdFaT (ringinuse disabled) (paused was 2930362 secs ago) (Not in use) has taken no calls yet (login was 2930362 secs ago)\nOutput:    No Callers\nOutput: \n",
  },
  {
    name: 'core show hints',
    kind: 'hints',
    text: '                   8004@ext-local           : SIP/8004              State:Idle            Watchers  0\n100@BLF_1           : SIP/IP-100-CdFaT      State:Idle            Presence:not_set         Watchers  0\n',
  },
  {
    name: 'queue member from a hint',
    kind: 'member',
    text: '      D70 (Local/1000@from-queue/n from hint:1000@ext-local) (ringinuse enabled) (dynamic) (Not in use) has taken no calls yet',
  },
];
