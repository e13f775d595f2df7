using Detr.MLNet.Postprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>Row-at-a-time scoring for <c>PredictionEngine</c>; each row made here owns its scorer buffers.</summary>
sealed class DetrRowMapper : IRowToRowMapper
{
    readonly DetrScoringTransformer _parent;
    readonly int _imageColumn;

    public DetrRowMapper(DetrScoringTransformer parent, DataViewSchema inputSchema)
    {
        _parent = parent;
        InputSchema = inputSchema;
        _imageColumn = DetrOutputSchema.FindImageColumn(inputSchema, parent.Model.Options.ImageColumnName);
        OutputSchema = DetrOutputSchema.Build(inputSchema, parent.Model.Options, parent.Model.LabelNames);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (column.Index < InputSchema.Count)
                needed.Add(column.Index);
            else
            {
                needed.Add(_imageColumn);
                if (DetrImageReader.PathColumn(InputSchema) is int path)
                    needed.Add(path);
            }
        }
        return needed.Order().Select(i => InputSchema[i]);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    sealed class Row : DataViewRow
    {
        readonly DetrRowMapper _mapper;
        readonly DataViewRow _input;
        readonly HashSet<int> _active;
        readonly DetrImageReader? _reader;
        readonly DetrBatchScorer? _scorer;
        long _scoredPosition = -1;
        DetrDetections _detections = DetrDetections.Empty;

        public Row(DetrRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
            if (active.Any(i => i >= mapper.InputSchema.Count))
            {
                var model = mapper._parent.Model;
                _reader = new DetrImageReader(input, mapper._imageColumn, model.Options, mapper._parent.Warn);
                _scorer = model.CreateScorer();
            }
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        // Score once per input position, however many output columns are read.
        DetrDetections Current()
        {
            if (_scoredPosition != _input.Position || _scoredPosition < 0)
            {
                var options = _mapper._parent.Model.Options;
                var image = _reader!.Read();
                _detections = _scorer!.Score([image], options.ScoreThreshold, options.MaxDetections)[0];
                _scoredPosition = _input.Position;
            }
            return _detections;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row.");
            if (column.Index < _mapper.InputSchema.Count)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            return DetrPredictionGetters.Create<TValue>(column.Index - _mapper.InputSchema.Count, Current, column.Name);
        }
    }
}
