/**
 * Ready-to-paste update settings for the routers and tools people use,
 * filled in with the user's host name and this server's public URL. Pure
 * text: the page escapes it when it renders. The secret is a placeholder,
 * because a per-host token is shown only once, when it is created.
 */
export interface RouterSettings {
  readonly id: string;
  readonly title: string;
  readonly where: string;
  readonly text: string;
}

export const TOKEN_PLACEHOLDER = 'YOUR-TOKEN';

export function routerSettings(baseUrl: string, hostname: string, username: string): RouterSettings[] {
  const url = new URL(baseUrl);
  const https = url.protocol === 'https:';
  const server = url.host; // host[:port]
  const base = `${url.protocol}//${server}`;
  const update = `${base}/nic/update`;
  const secret = TOKEN_PLACEHOLDER;
  return [
    {
      id: 'ddclient',
      title: 'ddclient',
      where: '/etc/ddclient.conf',
      text: `protocol=dyndns2
use=web, web=${base}/nic/checkip
server=${server}
ssl=${https ? 'yes' : 'no'}
login=${username}
password='${secret}'
${hostname}`,
    },
    {
      id: 'inadyn',
      title: 'inadyn (and UniFi, which runs it)',
      where: '/etc/inadyn.conf; on UniFi: Dynamic DNS, service "custom", server as below without https://',
      text: `custom signpost {
    username    = "${username}"
    password    = "${secret}"
    ddns-server = "${server}"
    ddns-path   = "/nic/update?hostname=%h&myip=%i"
    ssl         = ${https ? 'true' : 'false'}
    hostname    = "${hostname}"
}`,
    },
    {
      id: 'fritzbox',
      title: 'Fritz!Box',
      where: 'Internet → Permit Access → DynDNS, provider "User-defined"',
      text: `Update URL: ${update}?hostname=<domain>&myip=<ipaddr>,<ip6addr>
Domain name: ${hostname}
Username: ${username}
Password: ${secret}`,
    },
    {
      id: 'pfsense',
      title: 'pfSense',
      where: 'Services → Dynamic DNS → Add, service type "Custom"',
      text: `Interface to monitor: WAN
Update URL: ${update}?hostname=${hostname}&myip=%IP%
Result Match: good|nochg
Username: ${username}
Password: ${secret}`,
    },
    {
      id: 'opnsense',
      title: 'OPNsense',
      where: 'Services → Dynamic DNS (os-ddclient) → Add, service "Custom", protocol "DynDNS2"',
      text: `Service: Custom
Protocol: DynDNS2
Server: ${server}
Username: ${username}
Password: ${secret}
Hostname(s): ${hostname}
Check ip method: Interface`,
    },
    {
      id: 'openwrt',
      title: 'OpenWrt (luci-app-ddns)',
      where: '/etc/config/ddns (or Services → Dynamic DNS, provider "--custom--")',
      text: `config service 'signpost'
	option enabled '1'
	option lookup_host '${hostname}'
	option domain '${hostname}'
	option username '${username}'
	option password '${secret}'
	option update_url '${base.replace('//', '//[USERNAME]:[PASSWORD]@')}/nic/update?hostname=[DOMAIN]&myip=[IP]'
	option use_https '${https ? '1' : '0'}'
	option ip_source 'network'
	option ip_network 'wan'
	option interface 'wan'`,
    },
    {
      id: 'mikrotik',
      title: 'MikroTik RouterOS',
      where: 'System → Scripts (run it from System → Scheduler every few minutes); set the WAN interface name',
      text: `:local wan "ether1"
:local cidr [/ip address get [find interface=$wan] address]
:local ip [:pick $cidr 0 [:find $cidr "/"]]
/tool fetch mode=${https ? 'https' : 'http'} url=("${update}?hostname=${hostname}&myip=" . $ip) user="${username}" password="${secret}" output=none`,
    },
    {
      id: 'synology',
      title: 'Synology / QNAP (custom provider URL)',
      where: 'Synology: Control Panel → External Access → DDNS → Customize Provider; QNAP: myQNAPcloud → DDNS → custom',
      text: `Synology query URL: ${update}?hostname=__HOSTNAME__&myip=__MYIP__
QNAP URL: ${base.replace('//', '//%USER%:%PASS%@')}/nic/update?hostname=%HOST%&myip=%IP%
Hostname: ${hostname}
Username: ${username}
Password: ${secret}`,
    },
    {
      id: 'home-assistant',
      title: 'Home Assistant',
      where: 'configuration.yaml (the token goes into secrets.yaml as signpost_token)',
      text: `rest_command:
  signpost_update:
    url: "${update}?hostname=${hostname}"
    username: "${username}"
    password: !secret signpost_token
automation:
  - alias: "Signpost DNS update"
    triggers:
      - trigger: time_pattern
        minutes: "/5"
    actions:
      - action: rest_command.signpost_update`,
    },
    {
      id: 'curl',
      title: 'curl',
      where: 'any shell or cron job; without myip the server uses the address the request came from',
      text: `curl -fsS -u '${username}:${secret}' -A 'curl-cron/1.0' '${update}?hostname=${hostname}'`,
    },
  ];
}
