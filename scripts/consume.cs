#:package Detr.MLNet@0.1.0
#:property PublishAot=false
// Model Builder-style consumption script: score one image with a model saved by scripts/train.cs.
// Only Detr.MLNet is referenced: scoring needs ONNX Runtime, not TorchSharp.
//   dotnet run scripts/consume.cs -- detr-model/model.zip path/to/image.png
using Detr.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

string modelPath = args.Length > 0 ? args[0] : "detr-model/model.zip";
string imagePath = args.Length > 1 ? args[1] : Directory.GetFiles("detr-data/images").First();

var mlContext = new MLContext();
mlContext.ComponentCatalog.RegisterDetr(); // lets Model.Load rebuild the DETR transformer
var model = mlContext.Model.Load(modelPath, out _);
var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);

var output = engine.Predict(new ModelInput { ImagePath = imagePath });
VBuffer<ReadOnlyMemory<char>> labelNames = default;
engine.OutputSchema["PredictedLabel"].GetKeyValues(ref labelNames);
var labels = labelNames.DenseValues().Select(n => n.ToString()).ToArray();
Console.WriteLine($"{Path.GetFileName(imagePath)}: {output.Score.Length} detections");
for (int i = 0; i < output.Score.Length; i++)
{
    var b = output.PredictedBoundingBoxes.AsSpan(i * 4, 4);
    Console.WriteLine($"  {labels[output.PredictedLabel[i] - 1],-10} {output.Score[i]:0.000}  [{b[0]:0.0}, {b[1]:0.0}, {b[2]:0.0}, {b[3]:0.0}]");
}

/// <summary>The model's input: an image file.</summary>
public sealed class ModelInput
{
    public string ImagePath { get; set; } = "";
}

/// <summary>The model's output: classes (1-based keys), scores and x0,y0,x1,y1 boxes in image pixels.</summary>
public sealed class ModelOutput
{
    public uint[] PredictedLabel { get; set; } = [];
    public float[] Score { get; set; } = [];
    public float[] PredictedBoundingBoxes { get; set; } = [];
}
