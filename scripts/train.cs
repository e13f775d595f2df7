#:package Detr.MLNet@0.1.0
#:package Detr.Training@0.1.0
#:package TorchSharp-cpu@0.107.0
#:property PublishAot=false
// Model Builder-style training script for DETR-family detectors: edit the settings, then `dotnet run scripts/train.cs`.
// It trains on a COCO-format dataset (a synthetic shapes set is generated when none is given) and writes
// detr-model/model.zip, which scripts/consume.cs scores with.
using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.Training;
using Detr.Training.Trainers;
using Microsoft.ML;

// ----- Settings: edit these -----------------------------------------------------------------------------------
bool tiny = Environment.GetEnvironmentVariable("DETR_SCRIPT_PRESET") == "tiny";
string annotations = args.Length > 0 ? args[0] : "";     // COCO annotations JSON; empty: generate shapes
string? imageFolder = args.Length > 1 ? args[1] : null;  // folder the JSON's file names are relative to
string outputFolder = "detr-model";
double minutes = 8;                                      // training budget; the learning rate drops at two thirds of it
int imageSize = tiny ? 64 : 128;                         // size of the generated shapes
// ----------------------------------------------------------------------------------------------------------------

if (annotations.Length == 0)
{
    var shapes = SyntheticShapesDataset.Write("detr-data", new SyntheticShapesOptions { ImageCount = tiny ? 6 : 1000, Width = imageSize, Height = imageSize });
    (annotations, imageFolder) = (shapes.TrainAnnotations, shapes.Folder);
    Console.WriteLine($"Generated a shapes dataset: {shapes.TrainImages} training images.");
}

var mlContext = new MLContext(seed: 1);
var data = mlContext.Data.LoadFromCocoJson(annotations, imageFolder);
var loadImages = mlContext.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(data);
// The recipe `detr train` picks for data without pretrained weights (a small Deformable DETR sized to the images and
// the most crowded one), printed with the reason; its options are plain settings to change before training.
var recipe = DetrRecipes.Choose(DatasetProfile.Of(data.Dataset), startsFromPretrainedWeights: false);
Console.WriteLine($"Recipe {recipe.Name}: {recipe.Reason}");
var options = recipe.Options;
if (tiny)
{
    options.Model = DetrRecipes.TinyDeformableModel;
    options.Epochs = 2;
}
else
{
    options.MaxTrainingTime = TimeSpan.FromMinutes(minutes);
}
options.CheckpointDirectory = Path.Combine(outputFolder, "checkpoints");
options.Progress = new Progress<DetrTrainingProgress>(p =>
{
    if (p.Step == p.StepsPerEpoch && p.Validation is null)
        Console.WriteLine($"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:0.000}  giou {p.Terms["loss_giou"]:0.000}  ETA {p.Remaining:hh\\:mm\\:ss}");
});
var trainer = mlContext.Detection().Trainers.Detr(options);
var detr = trainer.Fit(loadImages.Transform(data));

// One zip with image loading and the DETR scorer (ONNX inside): what consume.cs loads.
var model = loadImages.Append(detr);
Directory.CreateDirectory(outputFolder);
mlContext.Model.Save(model, data.Schema, Path.Combine(outputFolder, "model.zip"));
Console.WriteLine($"Saved {Path.GetFullPath(Path.Combine(outputFolder, "model.zip"))}");
