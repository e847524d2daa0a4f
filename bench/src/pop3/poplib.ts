/**
 * Python's `poplib` as a POP3 client: the script `/usr/bin/python3 -c POPLIB_SCRIPT
 * <port> <user> <password> <messages>` logs in with USER/PASS, retrieves messages
 * 1…`messages` with RETR, and quits, then prints one JSON line like `client.ts` does
 * (wall and CPU seconds of the retrieval, interpreter start not included; octets as
 * poplib hands them back, lines joined with CRLF).
 */
export const POPLIB_SCRIPT = `
import json, poplib, sys, time
port, user, password, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
wall, cpu = time.monotonic(), time.process_time()
pop = poplib.POP3("127.0.0.1", port)
pop.user(user)
pop.pass_(password)
octets = 0
for n in range(1, count + 1):
    _, lines, _ = pop.retr(n)
    octets += sum(len(line) + 2 for line in lines)
pop.quit()
print(json.dumps({"messages": count, "octets": octets,
    "seconds": time.monotonic() - wall, "cpuSeconds": time.process_time() - cpu}))
`
