using System.Globalization;

namespace Detr.Bench;

/// <summary>A small hand-rolled command line: one subcommand and a few <c>--name value</c> options.</summary>
static class BenchCommandLine
{
    const string Usage = """
        Usage: Detr.Bench scoring [options]     images/s of raw ONNX Runtime vs ApplyDetr vs ML.NET's stock pipeline
               Detr.Bench stages               per-image cost of ApplyDetr's pre/post-processing stages only
               Detr.Bench evaluation           COCO evaluation time for 5,000 images x 100 detections (synthetic, in memory)
               Detr.Bench evaluation --gt F --dt F [--rounds N] [--detr PATH] [--pycocotools DIR]
                                               the same on files, by phase (reading, evaluation); --detr also times that `detr`
                                               executable's whole `evaluate`; --pycocotools (cocoapi's built PythonAPI) runs
                                               bench/baseline/coco_eval.py once, checks it agrees bit for bit, prints ratios
               Detr.Bench shapes-training      validation mAP curve of training on the synthetic shapes within a time budget
               Detr.Bench training-phases      where a from-scratch training step's time goes (forward, losses, backward, clip, AdamW)
               Detr.Bench recipe-step-cost --variants A,B [--rounds N] [--steps K]  ms per training step of the from-scratch recipe's model and variants of it
               Detr.Bench scoring-soak [--minutes M] [--threads T]  threads scoring good and corrupt images through one model: wrong results, errors, memory
               Detr.Bench forward              forward time: TorchSharp vs our ONNX export in ONNX Runtime vs PyTorch (r50, 800x1066)
               Detr.Bench training-step        training step time: TorchSharp vs PyTorch (tiny at 128x128, r50 at 320x320; batch 2)
               Detr.Bench deformable-forward   Deformable DETR forward: TorchSharp vs our ONNX in ONNX Runtime vs the reference's code (r50, 800x1066)
               Detr.Bench deformable-training-step  Deformable DETR training step: TorchSharp vs the reference's code (tiny at 128x128; batch 2)
               Detr.Bench matcher              Hungarian matcher time: ours vs the reference on scipy (2 x 100 queries x 20 targets)
               Detr.Bench export-speed         ONNX Runtime time of our exporter's file vs torch.onnx.export's (r50, 800x1066)
               Detr.Bench quantized-scoring    INT8 vs float32 exports of the same weights: speed (r50 800x1066, demo 128x128) and, with --checkpoint, AP
        Options of forward, training-step, deformable-*, matcher, export-speed (each against Debian's /usr/bin/python3 as baseline):
          --config LIST      tiny and/or r50, comma-separated (matcher: none)
          --size HxW         image size instead of the benchmark's default
          --rounds N         timed rounds, each variant once per round, interleaved (default 5; matcher 10)
          --calls N          back-to-back calls per variant and round (default 1; matcher 100)
          --warmup N         untimed rounds first (default 1)
          --threads T        intra-op threads of TorchSharp, ONNX Runtime and PyTorch (default 2)
          --seed S           seed of the random weights and inputs (default 0)
          --backbone-lr X    training-step: backbone learning rate (default 1e-5, stem and layer1 frozen); 0 freezes the backbone
          --reference DIR    deformable-*: extracted fundamentalvision/Deformable-DETR (default: $DEFORMABLE_DETR)
          --profile N        export-speed: then N runs of each file under ONNX Runtime's profiler, summed per operator
        Options of shapes-training (defaults: the demo's long preset):
          --minutes M --epochs N --train N --val N --size PX --validate-every EPOCHS --out DIR
          --lr X --lr-backbone X --batch N --clip X --eos X --lr-drop EPOCHS --queries N --width N --hidden N --layers N --ffn N
          --norms frozen|batch --objects MIN,MAX --sizes MINFRAC,MAXFRAC --augment reference|flip|off --dilation on|off --decoder-layers N
          --architecture detr|deformable (DetrRecipes.SmallModel or SmallDeformableModel) --refine on|off --two-stage on|off
          --levels N --points N --heads N --denoising GROUPS (0: none) --data DIR (train.json, val.json, images/ of bench/datasets)
        Options of quantized-scoring:
          --cases LIST       r50 and/or demo (default both): speed of fp32 and INT8 exports of random weights, interleaved
          --size HxW         image size of the r50 case (default 800x1066)
          --rounds N --calls N --warmup N --threads T   as above (defaults 5, 1, 1, 2)
          --calibration-images N   images to calibrate on (default 16)
          --profile N        then N runs of fp32 and each INT8 file under ONNX Runtime's profiler, per operator
          --method minmax|percentile|entropy   (default percentile)   --percentile P (default 99.99)
          --activations LIST uint8,int8 (default both)   --parts LIST;LIST (e.g. backbone,inputprojection;backbone,inputprojection,encoder)
          --checkpoint PATH --data VAL.json [--images DIR] --calibration FOLDER|JSON [--calibration-folder DIR]
                             [--shortest-edge N --longest-edge N]: AP/AP50 of fp32 and INT8 on the held-out set
        Options of scoring:
          --model PATH       DETR ONNX model (transformers layout); created with bench/make_detr_r50_onnx.py when missing
                             (default: bench/artifacts/detr_r50.onnx in the repository)
          --images N         images scored per timed iteration (default 8; the 8 drawn PNGs are reused in turn)
          --iterations K     timed iterations per variant (default 3); the median is reported
          --threads T        ONNX Runtime intra-op threads for every variant (default 2)
          --only LIST        comma-separated subset of: raw, raw-b2, ours-b1, ours-b2, stock (default: all); on a device,
                             of raw-DEVICE-bN, ours-DEVICE-bN (and raw-DEVICE-fp16-bN, ours-DEVICE-fp16-bN)
          --device D         cpu (default), cuda or tensorrt: per batch size, the raw ONNX Runtime loop on that device (IoBinding,
                             pinned inputs) against LoadImages → ApplyDetr on it; needs the GPU build (build with -p:DetrGpu=true)
          --batch LIST       batch sizes of the device variants (default 1,4,8)
          --fp16-model PATH  also time this float16 export of the model (float32 inputs/outputs; bench/gpu/make_fp16_onnx.py)
          --gpu N            GPU ordinal (default 0)
          (images per iteration on a device default to the least common multiple of the batch sizes, at least 16)
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "stages")
            return ScoringBenchmark.RunStages();
        if (args[0] == "evaluation")
            return args.Length == 1 ? EvaluationBenchmark.Run(images: 5000, detectionsPerImage: 100, repeats: 3) : EvaluationFilesBenchmark.Run(ParseEvaluationFiles(args));
        if (args[0] == "scoring-soak")
            return ScoringSoakBenchmark.Run(
                minutes: args.SkipWhile(a => a != "--minutes").Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(10),
                threads: args.SkipWhile(a => a != "--threads").Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(4));
        if (args[0] == "quantized-scoring")
            return QuantizedScoringBenchmark.Run(ParseQuantizedScoring(args));
        if (args[0] == "training-phases")
            return TrainingPhasesBenchmark.Run();
        if (args[0] == "recipe-step-cost")
            return RecipeStepCostBenchmark.Run(
                names: args.SkipWhile(a => a != "--variants").Skip(1).Select(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).FirstOrDefault(["recipe"]),
                rounds: args.SkipWhile(a => a != "--rounds").Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(5),
                steps: args.SkipWhile(a => a != "--steps").Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(10));
        if (args[0] == "shapes-training")
            return ShapesTrainingBenchmark.Run(ParseShapesTraining(args));
        Func<ComparisonSettings, int>? comparison = args[0] switch
        {
            "forward" => ForwardBenchmark.Run,
            "training-step" => TrainingStepBenchmark.Run,
            "deformable-forward" => DeformableForwardBenchmark.Run,
            "deformable-training-step" => DeformableTrainingStepBenchmark.Run,
            "matcher" => MatcherBenchmark.Run,
            "export-speed" => ExportSpeedBenchmark.Run,
            _ => null,
        };
        if (comparison is not null)
            return comparison(ParseComparison(args));
        if (args[0] != "scoring")
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var settings = new ScoringBenchmarkSettings();
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Positive() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v : throw new ArgumentException($"{name} needs a positive integer.");
            switch (name)
            {
                case "--model": settings.ModelPath = Path.GetFullPath(Value()); break;
                case "--images": settings.Images = Positive(); break;
                case "--iterations": settings.Iterations = Positive(); break;
                case "--threads": settings.Threads = Positive(); break;
                case "--only": settings.Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--device": settings.Device = Enum.Parse<Detr.MLNet.Scoring.DetrExecutionDevice>(Value(), ignoreCase: true); break;
                case "--batch":
                    settings.Batches = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(b => int.TryParse(b, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException("--batch needs positive integers."))
                        .ToArray();
                    break;
                case "--fp16-model": settings.Fp16ModelPath = Path.GetFullPath(Value()); break;
                case "--gpu": settings.GpuDeviceId = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{name}'.");
                    Console.Error.WriteLine(Usage);
                    return 1;
            }
        }
        return new ScoringBenchmark(settings).Run();
    }

    static EvaluationFilesSettings ParseEvaluationFiles(string[] args)
    {
        string? gt = null, dt = null, pycocotools = null, detr = null;
        int rounds = 5;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--gt": gt = Path.GetFullPath(Value()); break;
                case "--dt": dt = Path.GetFullPath(Value()); break;
                case "--rounds": rounds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--pycocotools": pycocotools = Path.GetFullPath(Value()); break;
                case "--detr": detr = Path.GetFullPath(Value()); break;
                default: throw new ArgumentException($"Unknown option '{name}' of evaluation.");
            }
        }
        return new EvaluationFilesSettings
        {
            GroundTruth = gt ?? throw new ArgumentException("evaluation needs --gt with --dt (or neither, for the synthetic in-memory data)."),
            Results = dt ?? throw new ArgumentException("evaluation needs --dt with --gt."),
            Rounds = rounds,
            Pycocotools = pycocotools,
            Detr = detr,
        };
    }

    static ShapesTrainingSettings ParseShapesTraining(string[] args)
    {
        var settings = new ShapesTrainingSettings();
        var o = settings.Options;
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            double Real() => double.Parse(Value(), CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--minutes": settings.Minutes = Real(); break;
                case "--train": settings.TrainImages = Int(); break;
                case "--val": settings.ValidationImages = Int(); break;
                case "--size": settings.ImageSize = Int(); break;
                case "--validate-every": settings.ValidateEvery = Int(); break;
                case "--out": settings.Output = Path.GetFullPath(Value()); break;
                case "--objects": { var v = Value().Split(','); settings.MinObjects = int.Parse(v[0]); settings.MaxObjects = int.Parse(v[1]); break; }
                case "--sizes": { var v = Value().Split(','); settings.MinSize = double.Parse(v[0], CultureInfo.InvariantCulture); settings.MaxSize = double.Parse(v[1], CultureInfo.InvariantCulture); break; }
                case "--augment": settings.Augment = Value(); break;
                case "--epochs": o.Epochs = Int(); o.LearningRateDropEpochs = Math.Max(1, o.Epochs * 2 / 3); break;
                case "--lr": o.LearningRate = Real(); break;
                case "--lr-backbone": o.BackboneLearningRate = Real(); break;
                case "--batch": o.BatchSize = Int(); break;
                case "--clip": o.GradientClipNorm = Real(); break;
                case "--eos": o.EosCoefficient = Real(); break;
                case "--lr-drop": o.LearningRateDropEpochs = Int(); break;
                case "--queries": { int n = Int(); settings.Edit(d => d with { Queries = n }, m => m with { Queries = n }); break; }
                case "--width": { int n = Int(); settings.Edit(d => d with { BackboneBaseWidth = n }, m => m with { BackboneBaseWidth = n }); break; }
                case "--hidden": { int n = Int(); settings.Edit(d => d with { HiddenDim = n }, m => m with { HiddenDim = n }); break; }
                case "--layers": { int n = Int(); settings.Edit(d => d with { EncoderLayers = n, DecoderLayers = n }, m => m with { EncoderLayers = n, DecoderLayers = n }); break; }
                case "--dilation": { bool on = Value() == "on"; settings.Edit(d => d with { Dilation = on }, m => m with { Dilation = on }); break; }
                case "--decoder-layers": { int n = Int(); settings.Edit(d => d with { DecoderLayers = n }, m => m with { DecoderLayers = n }); break; }
                case "--ffn": { int n = Int(); settings.Edit(d => d with { FeedForwardDim = n }, m => m with { FeedForwardDim = n }); break; }
                case "--norms": { var norms = Enum.Parse<Detr.Training.Modeling.BackboneNorms>(Value(), ignoreCase: true); settings.Edit(d => d with { BackboneNorms = norms }, m => m with { BackboneNorms = norms }); break; }
                case "--architecture": settings.Architecture = Value(); break;
                case "--refine": { bool on = Value() == "on"; settings.Edit(d => d, m => m with { BoxRefine = on }); break; }
                case "--two-stage": { bool on = Value() == "on"; settings.Edit(d => d, m => m with { TwoStage = on, BoxRefine = m.BoxRefine || on }); break; }
                case "--levels": { int n = Int(); settings.Edit(d => d, m => m with { FeatureLevels = n }); break; }
                case "--heads": { int n = Int(); settings.Edit(d => d with { Heads = n }, m => m with { Heads = n }); break; }
                case "--denoising": { int n = Int(); settings.Edit(d => d, m => m with { Denoising = n > 0 ? new Detr.Training.Modeling.Deformable.Denoising.DenoisingSettings { Groups = n } : null }); break; }
                case "--points": { int n = Int(); settings.Edit(d => d, m => m with { EncoderPoints = n, DecoderPoints = n }); break; }
                case "--data": settings.Data = Path.GetFullPath(Value()); break;
                default: throw new ArgumentException($"Unknown option '{name}' of shapes-training.");
            }
        }
        return settings;
    }

    static QuantizedScoringSettings ParseQuantizedScoring(string[] args)
    {
        var settings = new QuantizedScoringSettings();
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            string[] List(char separator = ',') => Value().Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (TimingOption(settings.Timing, name, Value))
                continue;
            switch (name)
            {
                case "--cases": settings.Cases = List(); break;
                case "--calibration-images": settings.CalibrationImages = Int(); break;
                case "--method": settings.Method = Enum.Parse<Detr.Training.Export.Quantization.DetrCalibrationMethod>(Value(), ignoreCase: true); break;
                case "--percentile": settings.Percentile = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--activations": settings.Activations = List().Select(a => Enum.Parse<Detr.Training.Export.Quantization.DetrQuantizedActivations>(a, ignoreCase: true)).ToArray(); break;
                case "--parts":
                    settings.Parts = List(';').Select(set => set.Split(',').Select(p => Enum.Parse<Detr.Training.Export.DetrModelParts>(p.Replace("-", ""), ignoreCase: true))
                        .Aggregate(Detr.Training.Export.DetrModelParts.None, (a, b) => a | b)).ToArray();
                    break;
                case "--checkpoint": settings.Checkpoint = Value(); break;
                case "--data": settings.Data = Value(); break;
                case "--images": settings.Images = Value(); break;
                case "--calibration": settings.Calibration = Value(); break;
                case "--calibration-folder": settings.CalibrationFolder = Value(); break;
                case "--shortest-edge": settings.ShortestEdge = Int(); break;
                case "--longest-edge": settings.LongestEdge = Int(); break;
                default: throw new ArgumentException($"Unknown option '{name}' of quantized-scoring.");
            }
        }
        return settings;
    }

    static ComparisonSettings ParseComparison(string[] args)
    {
        var settings = new ComparisonSettings();
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            if (TimingOption(settings, name, Value))
                continue;
            switch (name)
            {
                case "--config": settings.Configs = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--seed": settings.Seed = Int(); break;
                case "--reference": settings.DeformableReference = Value(); break;
                case "--backbone-lr": settings.BackboneLearningRate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{name}' of {args[0]}.");
            }
        }
        return settings;
    }

    // The options every timed comparison shares (size, rounds, calls, warm-up, threads, profile); false when name is none of them.
    static bool TimingOption(ComparisonSettings settings, string name, Func<string> value)
    {
        int Int() => int.Parse(value(), CultureInfo.InvariantCulture);
        switch (name)
        {
            case "--size":
            {
                var parts = value().Split('x');
                settings.Size = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
                return true;
            }
            case "--rounds": settings.Rounds = Int(); return true;
            case "--calls": settings.Calls = Int(); return true;
            case "--warmup": settings.WarmupRounds = Int(); return true;
            case "--threads": settings.Threads = Int(); return true;
            case "--profile": settings.ProfileRuns = Int(); return true;
            default: return false;
        }
    }
}
