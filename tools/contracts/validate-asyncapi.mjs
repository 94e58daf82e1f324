// Validates an AsyncAPI document with the official parser (@asyncapi/parser).
//
//   node tools/contracts/validate-asyncapi.mjs docs/asyncapi.yaml    # or "-" for stdin
//
// Prints one JSON object: {"errors": [...], "warnings": [...]}, each diagnostic with its
// code, message and path; exits 1 when there is any error, 2 when it cannot run.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "info", "hint"];

async function main() {
  const source = process.argv[2];
  if (!source) {
    console.error("usage: node validate-asyncapi.mjs FILE|-");
    return 2;
  }
  const text = readFileSync(source === "-" ? 0 : source, "utf8");
  const diagnostics = await new Parser().validate(text, { source: source === "-" ? undefined : source });
  const report = { errors: [], warnings: [] };
  for (const d of diagnostics) {
    const entry = { code: String(d.code), message: d.message, path: d.path.join("/") };
    if (d.severity === 0) report.errors.push(entry);
    else if (d.severity === 1) report.warnings.push(entry);
    else entry.severity = SEVERITY[d.severity];
  }
  process.stdout.write(JSON.stringify(report) + "\n");
  return report.errors.length ? 1 : 0;
}

// exitCode, not exit(): exit() would cut a long report written to a pipe
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 2;
  },
);
