#:package Detr.MLNet@0.1.0
#:package Detr.Training@0.1.0
#:package TorchSharp-cpu@0.107.0
#:property PublishAot=false
// Model Builder-style training script for DETR: edit the settings, then `dotnet run scripts/train.cs`.
// It trains on a COCO-format dataset (a synthetic shapes set is generated when none is given) and writes
// detr-model/model.zip, which scripts/consume.cs scores with.
using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Trainers;
using Microsoft.ML;

// ----- Settings: edit these -----------------------------------------------------------------------------------
bool tiny = Environment.GetEnvironmentVariable("DETR_SCRIPT_PRESET") == "tiny";
string annotations = args.Length > 0 ? args[0] : "";     // COCO annotations JSON; empty: generate shapes
string? imageFolder = args.Length > 1 ? args[1] : null;  // folder the JSON's file names are relative to
string outputFolder = "detr-model";
int epochs = tiny ? 2 : 60;
int imageSize = tiny ? 64 : 128;                         // short side the images are resized to
var architecture = new DetrConfig
{
    // From random weights: trained batch norms, and a dilated last stage so small images still give 8×8 features.
    Backbone = ResNetDepth.ResNet18, BackboneBaseWidth = tiny ? 8 : 16, BackboneNorms = BackboneNorms.Batch, Dilation = true,
    HiddenDim = tiny ? 32 : 64, Heads = 4,
    EncoderLayers = tiny ? 1 : 2, DecoderLayers = tiny ? 1 : 2, FeedForwardDim = tiny ? 64 : 256, Queries = 20, Dropout = 0,
};
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
var trainer = mlContext.Detection().Trainers.Detr(new DetrTrainerOptions
{
    Model = architecture,
    Epochs = epochs,
    LearningRateDropEpochs = Math.Max(1, epochs * 2 / 3),
    BatchSize = 4,
    LearningRate = 1e-4,
    BackboneLearningRate = 1e-4,
    GradientClipNorm = 1.0,
    Augmentation = DetrAugmentationOptions.FlipOnly(imageSize),
    CheckpointDirectory = Path.Combine(outputFolder, "checkpoints"),
    Progress = new Progress<DetrTrainingProgress>(p =>
    {
        if (p.Step == p.StepsPerEpoch && p.Validation is null)
            Console.WriteLine($"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:0.000}  giou {p.Terms["loss_giou"]:0.000}  ETA {p.Remaining:hh\\:mm\\:ss}");
    }),
});
var detr = trainer.Fit(loadImages.Transform(data));

// One zip with image loading and the DETR scorer (ONNX inside): what consume.cs loads.
var model = loadImages.Append(detr);
Directory.CreateDirectory(outputFolder);
mlContext.Model.Save(model, data.Schema, Path.Combine(outputFolder, "model.zip"));
Console.WriteLine($"Saved {Path.GetFullPath(Path.Combine(outputFolder, "model.zip"))}");
