import { ApiProperty } from '@nestjs/swagger';

/** Metadata of one stored checkpoint (the state itself is not exposed). */
export class CheckpointDto {
  @ApiProperty({ format: 'uuid', example: '9a3b1c55-6d2e-4f10-8a77-0c4b2e1f9d36' })
  id!: string;

  @ApiProperty({ type: 'integer', description: 'Increases with every checkpoint of the workload.', example: 3 })
  sequence!: number;

  @ApiProperty({ type: 'integer', description: 'The attempt that wrote it.', example: 1 })
  attempt!: number;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'Encoded size before compression.', example: 2048 })
  size_bytes!: number;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'Size stored after compression.', example: 512 })
  stored_bytes!: number;

  @ApiProperty({ description: 'Codec and version.', example: 'json+gzip/v1' })
  codec!: string;

  @ApiProperty({ enum: ['inline', 'filesystem', 's3'], enumName: 'CheckpointStorage', example: 'inline' })
  storage!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-31T12:00:30.000Z' })
  created_at!: string;
}

/** Checkpoints of a workload, newest first. */
export class CheckpointListDto {
  @ApiProperty({ type: [CheckpointDto] })
  items!: CheckpointDto[];
}
