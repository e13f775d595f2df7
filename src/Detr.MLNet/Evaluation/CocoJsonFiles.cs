using System.Runtime.ExceptionServices;
using Detr.MLNet.CocoJson;

namespace Detr.MLNet.Evaluation;

/// <summary>
/// Reads the two JSON files of a COCO bbox evaluation — a ground-truth file and a results list — into the in-memory
/// types, applying the same defaults pycocotools does so that file-based and in-memory evaluation agree.
/// </summary>
public static class CocoJsonFiles
{
    /// <summary>
    /// Reads <c>images[].id</c>, <c>categories[].id</c> and <c>annotations[]</c> (<c>image_id</c>, <c>category_id</c>,
    /// <c>bbox</c> required; <c>area</c> defaults to bbox width × height, <c>iscrowd</c> to 0). An annotation's
    /// <c>ignore</c> field is not read: pycocotools overwrites it with <c>iscrowd</c> before evaluating. Without a
    /// <c>categories</c> list the annotations' category ids are used.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON, or a required part is missing or mistyped.</exception>
    public static CocoGroundTruthFile ReadGroundTruth(string path)
    {
        CocoAnnotationFile file = CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools);
        var boxes = file.Annotations.Select(annotation => annotation.Box).ToList();
        var categoryIds = file.Categories?.Select(category => category.Id).ToList() ?? boxes.Select(box => box.CategoryId).Distinct().ToList();
        var names = new Dictionary<int, string>();
        foreach (var category in file.Categories ?? [])
        {
            if (category.Name is string name)
                names.TryAdd(category.Id, name);
        }

        return new CocoGroundTruthFile(file.Images.Select(image => image.Id).ToList().AsReadOnly(), categoryIds.AsReadOnly(), boxes.AsReadOnly())
        {
            CategoryNames = names.AsReadOnly(),
        };
    }

    /// <summary>
    /// Reads a results file: a JSON array of <c>{image_id, category_id, bbox: [x, y, w, h], score}</c>, all required.
    /// Other fields (<c>area</c>, <c>id</c>, <c>segmentation</c>) are ignored: pycocotools' loadRes recomputes area as
    /// w × h, numbers results itself and treats none as crowd.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON, not an array, or a result lacks a field.</exception>
    public static IReadOnlyList<CocoDetection> ReadResults(string path) => CocoJsonReader.ReadResults(path).AsReadOnly();

    /// <summary>
    /// Both files of an evaluation; with <paramref name="concurrently"/>, the ground truth is read on another thread
    /// while the results are read on this one. Errors are those of reading one after the other: the ground truth's first.
    /// </summary>
    internal static (CocoGroundTruthFile GroundTruth, List<CocoDetection> Results) ReadBoth(string groundTruthPath, string resultsPath, bool concurrently)
    {
        if (!concurrently)
        {
            var file = ReadGroundTruth(groundTruthPath);
            return (file, CocoJsonReader.ReadResults(resultsPath));
        }

        var groundTruth = Task.Run(() => ReadGroundTruth(groundTruthPath));
        List<CocoDetection>? results = null;
        ExceptionDispatchInfo? resultsError = null;
        try
        {
            results = CocoJsonReader.ReadResults(resultsPath);
        }
        catch (Exception error)
        {
            resultsError = ExceptionDispatchInfo.Capture(error);
        }

        try
        {
            groundTruth.Wait();
        }
        catch (AggregateException error) when (error.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Throw(error.InnerExceptions[0]);
        }

        resultsError?.Throw();
        return (groundTruth.Result, results!);
    }
}
