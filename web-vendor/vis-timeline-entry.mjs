// The vis-timeline bundle of the UI (scripts/vendor-web.sh): the peer build
// with its peers, no injected styles (web/ui/vendor/vis-timeline-graph2d.min.css
// is linked instead).
export { Timeline } from 'vis-timeline/peer/esm/vis-timeline-graph2d.js';
export { DataSet } from 'vis-data/peer/esm/vis-data.js';
