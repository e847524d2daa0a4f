/** The part of nodemailer's MailComposer the tests use (nodemailer ships no types). */
declare module "nodemailer/lib/mail-composer" {
  interface MimeNode {
    build(callback: (error: Error | null, message: Buffer) => void): void
  }
  class MailComposer {
    constructor(options: Record<string, unknown>)
    compile(): MimeNode
  }
  export default MailComposer
}
