using System.Diagnostics;
using System.Globalization;
using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using Microsoft.ML;

namespace Detr.Bench;

/// <summary>Settings of the <c>shapes-training</c> run; the defaults are the demo's long preset.</summary>
sealed class ShapesTrainingSettings
{
    public int TrainImages { get; set; } = 2000;
    public int ValidationImages { get; set; } = 200;
    public int ImageSize { get; set; } = 128;
    public double Minutes { get; set; } = 28;
    public int ValidateEvery { get; set; } = 2;
    public int MinObjects { get; set; } = 1;
    public int MaxObjects { get; set; } = 4;
    public double MinSize { get; set; } = 0.12;
    public double MaxSize { get; set; } = 0.6;
    public string Augment { get; set; } = "flip";
    public string Output { get; set; } = Path.Combine(Path.GetTempPath(), "detr-shapes-training");
    /// <summary>The trainer's options; the command line overrides single values.</summary>
    public DetrTrainerOptions Options { get; } = DetrRecipes.FromScratchOnSmallImages(128, epochs: 45);
    /// <summary>"detr" or "deformable": which of the two models below trains.</summary>
    public string Architecture { get; set; } = "detr";
    public DetrConfig Detr { get; set; } = DetrRecipes.SmallModel;
    public DeformableDetrConfig Deformable { get; set; } = DetrRecipes.SmallDeformableModel;
    /// <summary>A folder with train.json, val.json and images/ (bench/datasets' generators) instead of the drawn shapes.</summary>
    public string? Data { get; set; }

    /// <summary>Applies a command-line change to both architectures' models.</summary>
    public void Edit(Func<DetrConfig, DetrConfig> detr, Func<DeformableDetrConfig, DeformableDetrConfig> deformable)
    {
        Detr = detr(Detr);
        Deformable = deformable(Deformable);
    }

    /// <summary>The model that trains.</summary>
    public IDetrArchitecture Model => Architecture switch
    {
        "detr" => Detr,
        "deformable" => Deformable,
        _ => throw new ArgumentException($"--architecture takes detr or deformable, not '{Architecture}'."),
    };
}

/// <summary>
/// How far the trainer gets on the synthetic shapes within a time budget: draws the dataset, trains with validation
/// mAP every few epochs, prints the curve (step, minutes, AP, AP50) and writes it as CSV beside the data.
/// </summary>
static class ShapesTrainingBenchmark
{
    public static int Run(ShapesTrainingSettings settings)
    {
        var (trainJson, validationJson, imageFolder) = Dataset(settings);
        var ml = new MLContext(seed: 0);
        IDataView Images(string json) => ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Fit(ml.Data.LoadFromCocoJson(json, imageFolder)).Transform(ml.Data.LoadFromCocoJson(json, imageFolder));
        var clock = Stopwatch.StartNew();
        var curve = new List<string> { "step,epoch,minutes,train_loss,train_ce,train_bbox,train_giou,val_loss,AP,AP50" };
        var recent = new List<DetrTrainingProgress>();
        var options = settings.Options;
        options.Augmentation = settings.Augment switch
        {
            "reference" => DetrAugmentationOptions.ScaledTo(settings.ImageSize),
            "flip" => DetrAugmentationOptions.FlipOnly(settings.ImageSize),
            "off" => DetrAugmentationOptions.FlipOnly(settings.ImageSize) with { FlipProbability = 0 },
            _ => throw new ArgumentException($"--augment takes reference, flip or off, not '{settings.Augment}'."),
        };
        options.Model = settings.Model;
        options.ValidationData = Images(validationJson);
        options.ValidateEveryEpochs = settings.ValidateEvery;
        options.MaxTrainingTime = TimeSpan.FromMinutes(settings.Minutes);
        options.Progress = new Progress(p =>
        {
            if (p.Validation is not { } v)
            {
                recent.Add(p);
                return;
            }
            double Mean(Func<DetrTrainingProgress, double> f) => recent.Count == 0 ? double.NaN : recent.Average(f);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{p.GlobalStep},{p.Epoch},{clock.Elapsed.TotalMinutes:0.00},{Mean(r => r.Loss):0.000},{Mean(r => r.Terms["loss_ce"]):0.000},{Mean(r => r.Terms["loss_bbox"]):0.000},{Mean(r => r.Terms["loss_giou"]):0.000},{v["loss"]:0.000},{v["AP"]:0.0000},{v["AP50"]:0.0000}");
            recent.Clear();
            curve.Add(line);
            Console.WriteLine(line);
            Console.Out.Flush();
        });
        Console.WriteLine($"{trainJson} / {validationJson}, trained at {settings.ImageSize} px for {settings.Minutes} minutes: {settings.Model}");
        Console.WriteLine(curve[0]);
        var trainer = ml.Detection().Trainers.Detr(options);
        trainer.Fit(Images(trainJson));
        Directory.CreateDirectory(settings.Output);
        File.WriteAllLines(Path.Combine(settings.Output, "validation-curve.csv"), curve);
        Console.WriteLine($"{trainer.LastRun!.Steps} steps in {clock.Elapsed.TotalMinutes:0.0} minutes; curve → {Path.Combine(settings.Output, "validation-curve.csv")}");
        return 0;
    }

    // The drawn shapes of the demo, or a folder written by bench/datasets' generators.
    static (string Train, string Validation, string Images) Dataset(ShapesTrainingSettings settings)
    {
        if (settings.Data is string folder)
            return (Path.Combine(folder, "train.json"), Path.Combine(folder, "val.json"), Path.Combine(folder, "images"));
        int total = settings.TrainImages + settings.ValidationImages;
        var data = SyntheticShapesDataset.Write(Path.Combine(settings.Output, "data"), new SyntheticShapesOptions
        {
            ImageCount = total, ValidationFraction = (double)settings.ValidationImages / total,
            Width = settings.ImageSize, Height = settings.ImageSize, Seed = 2020,
            MinObjects = settings.MinObjects, MaxObjects = settings.MaxObjects, MinSize = settings.MinSize, MaxSize = settings.MaxSize,
        });
        return (data.TrainAnnotations, data.ValidationAnnotations, data.Folder);
    }

    sealed class Progress(Action<DetrTrainingProgress> report) : IProgress<DetrTrainingProgress>
    {
        public void Report(DetrTrainingProgress value) => report(value);
    }
}
