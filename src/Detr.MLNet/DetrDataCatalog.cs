using Detr.MLNet.Data;
using Detr.MLNet.Persistence;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Detr.MLNet;

/// <summary>Loading labelled detection datasets into ML.NET.</summary>
public static class DetrDataCatalog
{
    /// <summary>
    /// Loads COCO detection JSON as an <c>IDataView</c> (ImagePath, ImageId, Labels, Boxes, IsCrowd, Area, Width, Height).
    /// Repairs (clipped boxes, skipped empty boxes, missing images) are counted and logged as one warning.
    /// </summary>
    public static DetectionDatasetDataView LoadFromCocoJson(this DataOperationsCatalog catalog, string annotationsPath,
        string? imageFolder = null, MissingImagePolicy missingImages = MissingImagePolicy.Skip) =>
        Logged(catalog, CocoDatasetReader.Read(annotationsPath, imageFolder, missingImages), annotationsPath);

    /// <summary>Any <see cref="DetectionDataset"/> (VOC, YOLO, synthetic) as an <c>IDataView</c>.</summary>
    public static DetectionDatasetDataView LoadFromDetectionDataset(this DataOperationsCatalog catalog, DetectionDataset dataset) =>
        Logged(catalog, dataset, "detection dataset");

    static DetectionDatasetDataView Logged(DataOperationsCatalog catalog, DetectionDataset dataset, string source)
    {
        if (!dataset.Report.IsClean)
        {
            using var channel = MLNetInternals.GetEnvironment(catalog).Start("DETR data");
            channel.Warning(MessageSensitivity.None, $"{source}: {dataset.Report}");
        }
        return new DetectionDatasetDataView(dataset);
    }
}
