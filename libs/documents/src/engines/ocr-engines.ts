import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CHAT_CALLER, type ChatCaller, type ModelParams } from './chat-caller';
import { LlmOcrEngine } from './llm-ocr.engine';
import { isLocalOcrModel, type OcrEngine } from './ocr-engine';
import { TesseractEngine } from './tesseract.engine';

/** Picks the OCR engine for a model name: `local-ocr/tesseract` locally, anything else through the gateway. */
@Injectable()
export class OcrEngines implements OnApplicationShutdown {
  private readonly tesseract = new TesseractEngine();

  constructor(@Inject(CHAT_CALLER) private readonly caller: ChatCaller) {}

  /** `params` apply to a model behind the gateway (the API refuses them for local OCR). */
  forModel(model: string, params?: ModelParams): OcrEngine {
    return isLocalOcrModel(model) ? this.tesseract : new LlmOcrEngine(this.caller, model, params);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tesseract.close();
  }
}
