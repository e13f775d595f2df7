using Detr.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.Cli.Pipeline;

/// <summary>
/// The CLI's image-loading step in front of every DETR scorer: the ImagePath column (absolute or working-directory
/// relative paths, as the dataset readers and <c>predict</c> give them) decoded into the Image column.
/// </summary>
static class ImageLoading
{
    /// <summary>The LoadImages estimator, to fit or to chain before a scorer.</summary>
    public static ImageLoadingEstimator Estimator(MLContext ml) =>
        ml.Transforms.LoadImages(DetrColumnNames.Image, imageFolder: null, inputColumnName: DetrColumnNames.ImagePath);

    /// <summary><paramref name="data"/> with its ImagePath column loaded into an Image column.</summary>
    public static IDataView WithImages(MLContext ml, IDataView data) => Estimator(ml).Fit(data).Transform(data);

    /// <summary><paramref name="scorer"/> behind the image-loading step, fitted for ImagePath rows.</summary>
    public static ITransformer Before(MLContext ml, ITransformer scorer) =>
        Estimator(ml).Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>())).Append(scorer);
}
