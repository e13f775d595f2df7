using Detr.Bench;

// Detr.Bench: performance measurements of Detr.MLNet.
//   dotnet run -c Release --project bench/Detr.Bench -- scoring [--model PATH] [--images N] [--iterations K] [--threads T] [--only LIST]
return BenchCommandLine.Run(args);
