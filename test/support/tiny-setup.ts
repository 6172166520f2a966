// The smallest valid event set-up naming some boards: one start/finish loop on the
// first, one box on the last, one truck. For tests of ingest and board lifecycle.
import type { EventSetupInput } from '../../gateway/event-setup.js';

export function tinySetup(name: string, boards: Array<{ id: string; kind: 'loop' | 'box' }>): EventSetupInput {
  return {
    name,
    session: 'race',
    laps: 10,
    stages: [10],
    pitSpeedLimitMph: 45,
    pitSpeedToleranceMph: 5,
    track: {
      id: 'test',
      name: 'Test',
      lengthM: 846,
      loops: [{ id: 1, name: 'SF', role: 'start-finish', path: 'track', positionM: 0, board: boards[0]!.id }],
      pitRoad: { entryM: 700, exitM: 100, lengthM: 250, boxes: [{ number: 1, positionM: 50, board: boards[boards.length - 1]!.id }], openings: [] },
      boards,
    },
    field: [{ car: '1', driver: 'A. Driver', transponder: 1001, box: 1, noseOffsetM: 1.2 }],
  };
}
