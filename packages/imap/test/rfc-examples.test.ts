import {
  type Command,
  CommandDecoder,
  encodeCommand,
  encodeResponse,
  ResponseDecoder,
} from "@mailwire/imap"
import { concatBytes } from "@mailwire/wire"
import { describe, expect, it } from "vitest"
import type { CommandFixture } from "./fixtures/rfc-commands.js"
import { EXTENSION_COMMANDS, EXTENSION_RESPONSES } from "./fixtures/rfc-extensions.js"
import type { ResponseFixture } from "./fixtures/rfc-responses.js"
import { RFC9051_COMMANDS, RFC9051_RESPONSES } from "./fixtures/rfc9051-session.js"
import { bytewise, feed, latin1, type Normalised, responsesOf, withLiterals } from "./helpers.js"

const bytesOf = (wire: string) => Uint8Array.from(wire, (c) => c.charCodeAt(0))

function commandsOf(events: readonly Normalised[]): Command[] {
  const out: Command[] = []
  let literals: string[] = []
  for (const event of events) {
    if (event.type === "literal") literals.push(event.bytes)
    else if (event.type === "command") {
      out.push(withLiterals(event.command, literals))
      literals = []
    }
  }
  return out
}

function reencodeCommands(wire: string): string {
  const events = feed(new CommandDecoder(), [bytesOf(wire)])
  expect(events.filter((e) => e.type === "error")).toEqual([])
  return commandsOf(events)
    .map((c) => latin1(concatBytes(encodeCommand(c, { utf8: true }).map((p) => p.bytes))))
    .join("")
}

function reencodeResponses(wire: string): string {
  const events = feed(new ResponseDecoder(), [bytesOf(wire)])
  expect(events.filter((e) => e.type === "error")).toEqual([])
  return responsesOf(events)
    .map((r) => latin1(encodeResponse(r, { utf8: true })))
    .join("")
}

function commandTable(name: string, fixtures: readonly CommandFixture[]): void {
  describe(name, () => {
    for (const fixture of fixtures) {
      it(`parses and re-encodes ${fixture.source}`, () => {
        expect(reencodeCommands(fixture.wire)).toBe(fixture.canonical ?? fixture.wire)
      })
      it(`gives the same events byte at a time: ${fixture.source}`, () => {
        const whole = feed(new CommandDecoder(), [bytesOf(fixture.wire)])
        expect(feed(new CommandDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(whole)
      })
    }
  })
}

function responseTable(name: string, fixtures: readonly ResponseFixture[]): void {
  describe(name, () => {
    for (const fixture of fixtures) {
      it(`parses and re-encodes ${fixture.source}`, () => {
        expect(reencodeResponses(fixture.wire)).toBe(fixture.canonical ?? fixture.wire)
      })
      it(`gives the same events byte at a time: ${fixture.source}`, () => {
        const whole = feed(new ResponseDecoder(), [bytesOf(fixture.wire)])
        expect(feed(new ResponseDecoder(), bytewise(bytesOf(fixture.wire)))).toEqual(whole)
      })
    }
  })
}

commandTable("RFC 9051 §6–§8 command examples", RFC9051_COMMANDS)
responseTable("RFC 9051 §6–§8 response examples", RFC9051_RESPONSES)
commandTable("extension RFC command examples", EXTENSION_COMMANDS)
responseTable("extension RFC response examples", EXTENSION_RESPONSES)
