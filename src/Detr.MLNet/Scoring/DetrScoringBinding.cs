using Detr.MLNet.Imaging;
using Detr.MLNet.Postprocessing;
using Microsoft.ML;

namespace Detr.MLNet.Scoring;

/// <summary>
/// A scoring transformer bound to one input schema: the output schema, the input columns scoring reads, scorers over
/// a source of rows, and the getters of passed-through and predicted columns. <see cref="DetrScoredDataView"/> (batched
/// cursors) and <see cref="DetrRowMapper"/> (one row at a time) differ only in when they score.
/// </summary>
sealed class DetrScoringBinding
{
    readonly DetrScoringTransformer _parent;
    readonly int _imageColumn;

    public DetrScoringBinding(DetrScoringTransformer parent, DataViewSchema input)
    {
        _parent = parent;
        Input = input;
        _imageColumn = DetrOutputSchema.FindImageColumn(input, parent.Model.Options.ImageColumnName);
        Output = DetrOutputSchema.Build(input, parent.Model.Options, parent.Model.LabelNames);
    }

    public DataViewSchema Input { get; }

    public DataViewSchema Output { get; }

    /// <summary>Whether <paramref name="column"/> of the output is one of the predictions rather than an input passed through.</summary>
    public bool IsPrediction(DataViewSchema.Column column) => column.Index >= Input.Count;

    /// <summary>The input columns scoring reads: the image, and the path (named in messages, checked against the pixel limit) where there is one.</summary>
    public IEnumerable<DataViewSchema.Column> ScoringInputs()
    {
        yield return Input[_imageColumn];
        if (DetrImageReader.PathColumn(Input) is int path)
            yield return Input[path];
    }

    /// <summary>Reads and scores the images of <paramref name="source"/>'s rows, with buffers of its own.</summary>
    public Scorer CreateScorer(DataViewRow source)
    {
        var model = _parent.Model;
        return new Scorer(new DetrImageReader(source, _imageColumn, model.Options, _parent.Warn), model.CreateScorer(), model.Options);
    }

    /// <summary>The getter of output <paramref name="column"/>: <paramref name="input"/>'s own for a passed-through column, else over <paramref name="current"/>.</summary>
    public ValueGetter<TValue> GetGetter<TValue>(DataViewRow input, DataViewSchema.Column column, Func<DetrDetections> current) =>
        IsPrediction(column)
            ? DetrPredictionGetters.Create<TValue>(column.Index - Input.Count, current, column.Name)
            : input.GetGetter<TValue>(input.Schema[column.Index]);

    /// <summary>The current source row's image, and detections for images read so, at the transformer's threshold and cap.</summary>
    public sealed class Scorer(DetrImageReader reader, DetrBatchScorer scorer, DetrScoringOptions options) : IDisposable
    {
        public int BatchSize => options.BatchSize;

        public RgbImage? ReadImage() => reader.Read();

        public DetrDetections[] Score(IReadOnlyList<RgbImage?> images) => scorer.Score(images, options.ScoreThreshold, options.MaxDetections);

        /// <summary>Releases the batch scorer's device staging, if it made any.</summary>
        public void Dispose() => scorer.Dispose();
    }
}
