/**
 * Every client command (RFC 9051 §6, §9 `command`), as one tagged union, with the
 * dispatch that reads and writes it. Each command's grammar lives in its own module.
 */
import { syntaxError } from "../../errors.js"
import type { Decoder } from "../decoder.js"
import type { Encoder } from "../encoder.js"
import { type AppendCommand, encodeAppend, parseAppend } from "./append.js"
import { encodeFetch, type FetchCommand, parseFetch } from "./fetch.js"
import { encodeList, type ListCommand, parseList } from "./list.js"
import { encodeMailboxCommand, type MailboxCommandValue, parseMailboxCommand } from "./mailbox.js"
import {
  encodeSearchCommand,
  parseSearch,
  parseSort,
  parseThread,
  type SearchCommand,
  type SortCommand,
  type ThreadCommand,
} from "./search.js"
import { encodeSessionCommand, parseSessionCommand, type SessionCommand } from "./session.js"
import {
  type CopyCommand,
  encodeStoreCommand,
  parseCopy,
  parseStore,
  type StoreCommand,
  type UidExpungeCommand,
} from "./store.js"

/** A command without its tag. */
export type CommandBody =
  | SessionCommand
  | MailboxCommandValue
  | ListCommand
  | AppendCommand
  | SearchCommand
  | SortCommand
  | ThreadCommand
  | FetchCommand
  | StoreCommand
  | CopyCommand
  | UidExpungeCommand

/** A tagged client command (RFC 9051 §2.2.1). */
export type Command = CommandBody & { readonly tag: string }

/** Reads one command; the decoder must hold a whole framed command. */
export function parseCommand(d: Decoder): Command {
  const tag = d.tag()
  d.sp()
  const name = d.keyword()
  const body = name === "UID" ? uidCommand(d) : command(d, name)
  d.end()
  return { tag, ...body }
}

function command(d: Decoder, name: string): CommandBody {
  const simple = parseSessionCommand(d, name) ?? parseMailboxCommand(d, name)
  if (simple !== null) return simple
  switch (name) {
    case "LIST":
      return parseList(d)
    case "APPEND":
      return parseAppend(d)
    case "SEARCH":
      return parseSearch(d, false)
    case "SORT":
      return parseSort(d, false)
    case "THREAD":
      return parseThread(d, false)
    case "FETCH":
      return parseFetch(d, false)
    case "STORE":
      return parseStore(d, false)
    case "COPY":
    case "MOVE":
      return parseCopy(d, name, false)
    default:
      throw syntaxError(`unknown command ${name}`)
  }
}

function uidCommand(d: Decoder): CommandBody {
  d.sp()
  const name = d.keyword()
  switch (name) {
    case "FETCH":
      return parseFetch(d, true)
    case "SEARCH":
      return parseSearch(d, true)
    case "SORT":
      return parseSort(d, true)
    case "THREAD":
      return parseThread(d, true)
    case "STORE":
      return parseStore(d, true)
    case "COPY":
    case "MOVE":
      return parseCopy(d, name, true)
    case "EXPUNGE":
      d.sp()
      return { name: "UID EXPUNGE", set: d.sequenceSet() }
    default:
      throw syntaxError(`unknown command UID ${name}`)
  }
}

/** Writes one command, CRLF included. */
export function writeCommand(e: Encoder, c: Command): Encoder {
  e.tag(c.tag).sp()
  switch (c.name) {
    case "LIST":
      encodeList(e, c)
      break
    case "APPEND":
      encodeAppend(e, c)
      break
    case "SEARCH":
    case "SORT":
    case "THREAD":
      encodeSearchCommand(e, c)
      break
    case "FETCH":
      encodeFetch(e, c)
      break
    case "STORE":
    case "COPY":
    case "MOVE":
    case "UID EXPUNGE":
      encodeStoreCommand(e, c)
      break
    case "SELECT":
    case "EXAMINE":
    case "CREATE":
    case "DELETE":
    case "SUBSCRIBE":
    case "UNSUBSCRIBE":
    case "GETQUOTAROOT":
    case "RENAME":
    case "STATUS":
    case "LSUB":
    case "GETQUOTA":
    case "SETQUOTA":
      encodeMailboxCommand(e, c)
      break
    default:
      encodeSessionCommand(e, c)
  }
  return e.crlf()
}
