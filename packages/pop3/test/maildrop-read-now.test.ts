/** `Maildrop.readNow` on the in-memory store: the message at once, or null to use `read`. */
import { InMemoryMaildropStore, isMaildropRefusal } from "@mailwire/pop3"
import { describe, expect, it } from "vitest"

describe("InMemoryMaildropStore readNow", () => {
  it("hands over a message as read yields it, and null for an unknown UID", async () => {
    const store = new InMemoryMaildropStore()
    const uid = store.deliver("alice", "Subject: hi\r\n\r\nHello\r\n")
    const maildrop = await store.open("alice")
    if (isMaildropRefusal(maildrop)) throw new Error(maildrop.code)
    const chunks: Uint8Array[] = []
    for await (const chunk of maildrop.read(uid)) chunks.push(chunk)
    expect(maildrop.readNow?.(uid)).toEqual(chunks[0])
    expect(new TextDecoder().decode(maildrop.readNow?.(uid) ?? undefined)).toBe(
      "Subject: hi\r\n\r\nHello\r\n",
    )
    expect(maildrop.readNow?.("nope")).toBeNull()
    await maildrop.close()
  })
})
