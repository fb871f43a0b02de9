/** What a study says about its data: in its report (EstimateReport.data) and in its store record (options.facts). */
export interface DataFacts {
  source: string;
  kind: string;
  task: string;
  rows: number;
  poolSize: number;
  testSize: number;
  numClasses: number;
  classes?: string[];
  warnings: string[];
}
