/**
 * Capability names (RFC 9051 §7.2.2 and the extension RFCs), one per line with its RFC.
 * Compare capabilities case-insensitively: servers vary in case.
 */

/** A capability atom as sent in `CAPABILITY` / `ENABLED`. */
export type Capability = string

/** RFC 3501: IMAP4rev1. */
export const CAP_IMAP4REV1 = "IMAP4rev1"
/** RFC 9051: IMAP4rev2. */
export const CAP_IMAP4REV2 = "IMAP4rev2"
/** RFC 9051 §6.2.1: STARTTLS. */
export const CAP_STARTTLS = "STARTTLS"
/** RFC 9051 §6.2.3: LOGIN is refused. */
export const CAP_LOGINDISABLED = "LOGINDISABLED"
/** RFC 4959: SASL initial response. */
export const CAP_SASL_IR = "SASL-IR"
/** RFC 7888 §3: non-synchronizing literals of any size. */
export const CAP_LITERAL_PLUS = "LITERAL+"
/** RFC 7888 §4: non-synchronizing literals up to 4,096 bytes. */
export const CAP_LITERAL_MINUS = "LITERAL-"
/** RFC 3516: BINARY fetch and literal8 APPEND. */
export const CAP_BINARY = "BINARY"
/** RFC 5161: ENABLE. */
export const CAP_ENABLE = "ENABLE"
/** RFC 2177: IDLE. */
export const CAP_IDLE = "IDLE"
/** RFC 2342: NAMESPACE. */
export const CAP_NAMESPACE = "NAMESPACE"
/** RFC 2971: ID. */
export const CAP_ID = "ID"
/** RFC 3691: UNSELECT. */
export const CAP_UNSELECT = "UNSELECT"
/** RFC 4315: UIDPLUS (APPENDUID, COPYUID, UID EXPUNGE). */
export const CAP_UIDPLUS = "UIDPLUS"
/** RFC 6851: MOVE. */
export const CAP_MOVE = "MOVE"
/** RFC 7162: CONDSTORE. */
export const CAP_CONDSTORE = "CONDSTORE"
/** RFC 7162: QRESYNC. */
export const CAP_QRESYNC = "QRESYNC"
/** RFC 4731: ESEARCH. */
export const CAP_ESEARCH = "ESEARCH"
/** RFC 5182: SEARCHRES. */
export const CAP_SEARCHRES = "SEARCHRES"
/** RFC 5256: SORT. */
export const CAP_SORT = "SORT"
/** RFC 5256: THREAD=ORDEREDSUBJECT. */
export const CAP_THREAD_ORDEREDSUBJECT = "THREAD=ORDEREDSUBJECT"
/** RFC 5256: THREAD=REFERENCES. */
export const CAP_THREAD_REFERENCES = "THREAD=REFERENCES"
/** RFC 5258: LIST-EXTENDED. */
export const CAP_LIST_EXTENDED = "LIST-EXTENDED"
/** RFC 5819: LIST-STATUS. */
export const CAP_LIST_STATUS = "LIST-STATUS"
/** RFC 6154: SPECIAL-USE. */
export const CAP_SPECIAL_USE = "SPECIAL-USE"
/** RFC 6154 §3: CREATE-SPECIAL-USE. */
export const CAP_CREATE_SPECIAL_USE = "CREATE-SPECIAL-USE"
/** RFC 3502: MULTIAPPEND. */
export const CAP_MULTIAPPEND = "MULTIAPPEND"
/** RFC 6855: UTF8=ACCEPT. */
export const CAP_UTF8_ACCEPT = "UTF8=ACCEPT"
/** RFC 4978: COMPRESS=DEFLATE. */
export const CAP_COMPRESS_DEFLATE = "COMPRESS=DEFLATE"
/** RFC 9208: QUOTA. */
export const CAP_QUOTA = "QUOTA"
/** RFC 8438: STATUS=SIZE. */
export const CAP_STATUS_SIZE = "STATUS=SIZE"
/** RFC 7889: APPENDLIMIT. */
export const CAP_APPENDLIMIT = "APPENDLIMIT"
/** RFC 5530 response codes are always allowed; RFC 8474: OBJECTID. */
export const CAP_OBJECTID = "OBJECTID"
/** RFC 8970: PREVIEW. */
export const CAP_PREVIEW = "PREVIEW"
/** Gmail's IMAP extensions (X-GM-MSGID, X-GM-THRID, X-GM-LABELS, X-GM-RAW). */
export const CAP_X_GM_EXT_1 = "X-GM-EXT-1"

/** Whether `capabilities` holds `name`, compared case-insensitively (`AUTH=PLAIN` too). */
export function hasCapability(capabilities: readonly string[], name: string): boolean {
  const upper = name.toUpperCase()
  return capabilities.some((capability) => capability.toUpperCase() === upper)
}
