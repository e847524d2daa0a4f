import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/smtp.ts", "src/pop3.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "node",
})
