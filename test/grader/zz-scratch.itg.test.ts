import { afterAll, beforeAll, it } from "vitest";
import { formatGradeReport } from "../../src/grader/index.js";
import { loadInfra, type Infra } from "../helpers/infra.js";
import { GraderScope } from "./helpers.js";
let infra: Infra;
const scope = new GraderScope(() => infra);
beforeAll(async () => { infra = await loadInfra(); });
afterAll(() => scope.dispose());
it("prints", async () => {
  for (const [name, prof, opts] of [["modzy-ok", "modzy", {}], ["modzy-no-port", "modzy", {}], ["modzy-no-shutdown", "modzy", {shutdownGraceMs: 2000}], ["crowdai-wrong-path", "crowdai", {}]] as const) {
    const b = await scope.build(name, prof === "crowdai" ? { userName: "crowdai", userId: 1001 } : {});
    const g = await scope.grade(b, name, { profile: prof, ...opts });
    console.log(formatGradeReport(g));
  }
});
