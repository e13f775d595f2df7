using Detr.Bench;

// Detr.Bench: performance measurements of Detr.MLNet.
//   dotnet run -c Release --project bench/Detr.Bench -- help     (lists the benchmarks and their options)
return BenchCommandLine.Run(args);
