/**
 * A real DNS server for tests (dns2, over UDP on 127.0.0.1): answers A and AAAA
 * questions from a table the test sets, NXDOMAIN for names it lacks, and nothing at
 * all for names marked silent (a server that never answers, as a slow one looks).
 */
import dns2 from 'dns2';
import type { AddressInfo } from 'node:net';

const { Packet } = dns2;

export type DnsAnswer = { a?: string[]; aaaa?: string[] } | 'silent';

export interface DnsServer {
  /** For `WEBHOOK_DNS_SERVERS` (`dnsServers`): `127.0.0.1:<port>`. */
  servers: string[];
  /** Answers `name` so from now on. */
  set(name: string, answer: DnsAnswer): void;
  /** Questions asked so far, as `TYPE name`. */
  asked: string[];
  close(): Promise<void>;
}

export async function startDnsServer(records: Record<string, DnsAnswer> = {}): Promise<DnsServer> {
  const table = new Map(Object.entries(records).map(([name, answer]) => [name.toLowerCase(), answer]));
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      if (!question) return;
      const name = question.name.toLowerCase();
      const type = question.type === Packet.TYPE.AAAA ? 'AAAA' : question.type === Packet.TYPE.A ? 'A' : String(question.type);
      asked.push(`${type} ${name}`);
      const answer = table.get(name);
      if (answer === 'silent') return;
      const response = Packet.createResponseFromRequest(request);
      if (answer === undefined) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        void send(response);
        return;
      }
      const addresses = type === 'A' ? (answer.a ?? []) : type === 'AAAA' ? (answer.aaaa ?? []) : [];
      for (const address of addresses) {
        response.answers.push(new Packet.Resource({ name: question.name, type: question.type, class: Packet.CLASS.IN, ttl: 1, address }));
      }
      void send(response);
    },
  });
  const listening = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = listening.udp as AddressInfo;
  return {
    servers: [`127.0.0.1:${port}`],
    set: (name, answer) => void table.set(name.toLowerCase(), answer),
    asked,
    close: () => server.close(),
  };
}
