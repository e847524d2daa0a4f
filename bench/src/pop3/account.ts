/** The one POP3 account of the benchmark, the same on Dovecot and on mailwire's server. */
export const USER = "bench"
export const PASSWORD = "bench-secret"
